package io.dlrhub.auth;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.Set;

/**
 * The tokens generated for providers that have no credential configured, kept in a properties file
 * ({@code <provider>.tokens=...}, the same key as in application.properties) that only the service's
 * user can read, so the URL given to a provider keeps working after a restart.
 */
public final class GeneratedTokens {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;

    public GeneratedTokens(Path file) {
        this.file = file.toAbsolutePath().normalize();
    }

    public Path file() {
        return file;
    }

    /** The provider's token from the file, or a new one written to it first. */
    public synchronized String tokenFor(String provider) {
        Properties tokens = read();
        String key = provider + ".tokens";
        String known = tokens.getProperty(key);
        if (known != null && !known.isBlank()) {
            return known.trim();
        }
        String generated = Secrets.randomToken();
        tokens.setProperty(key, generated);
        write(tokens);
        return generated;
    }

    private Properties read() {
        Properties tokens = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                tokens.load(reader);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the generated tokens in " + file, e);
            }
        }
        return tokens;
    }

    /** Written to a private temporary file first and moved over, so a crash never leaves half a file. */
    private void write(Properties tokens) {
        try {
            Path directory = file.getParent();
            Files.createDirectories(directory);
            Path temporary = createPrivateFile(directory.resolve(file.getFileName() + ".tmp"));
            try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                tokens.store(
                        writer,
                        "dlr-hub: tokens generated for providers without a configured credential."
                                + " Keep this file private. To choose your own, set <PROVIDER>_TOKENS.");
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the generated tokens to " + file, e);
        }
    }

    private static Path createPrivateFile(Path path) throws IOException {
        Files.deleteIfExists(path);
        try {
            return Files.createFile(path, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException notPosix) {
            return Files.createFile(path);
        } catch (FileAlreadyExistsException raced) {
            throw new IOException("Another process is writing " + path, raced);
        }
    }
}
