package io.dlrhub.event;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a provider's own status word to the canonical status, from one properties file per
 * provider ({@code <dir>/<provider>.properties}, lines like {@code NOT_DELIVERED = FAILED}).
 * Operators extend a mapping by editing that file; an edit is picked up within a second, without a restart.
 * A word that is not mapped becomes UNKNOWN: a status is never rejected for being new to us.
 */
public class StatusMappings {

    private static final Logger LOG = LoggerFactory.getLogger(StatusMappings.class);

    private final Path directory;
    private final long recheckNanos;
    private final Map<String, Loaded> cache = new ConcurrentHashMap<>();

    public StatusMappings(Path directory) {
        this(directory, java.time.Duration.ofSeconds(1));
    }

    /** @param recheck how long a loaded file is used before its modification time is looked at again */
    public StatusMappings(Path directory, java.time.Duration recheck) {
        this.directory = directory;
        this.recheckNanos = recheck.toNanos();
    }

    public CanonicalStatus map(String mappingName, String providerStatus) {
        Map<String, CanonicalStatus> mapping = mapping(mappingName);
        CanonicalStatus status = mapping.get(normalize(providerStatus));
        return status != null ? status : CanonicalStatus.UNKNOWN;
    }

    /**
     * Loads a mapping file now and refuses it if it is missing or has a line that is not
     * {@code WORD = STATUS}: an adapter that names it is not started.
     */
    public void check(String mappingName) {
        Path file = directory.resolve(mappingName + ".properties");
        FileTime modified = lastModified(file);
        if (modified.toMillis() == 0) {
            throw new IllegalArgumentException("the status mapping file " + file + " does not exist");
        }
        cache.put(mappingName, new Loaded(modified, read(file), System.nanoTime()));
    }

    Map<String, CanonicalStatus> mapping(String mappingName) {
        Loaded loaded = cache.get(mappingName);
        long now = System.nanoTime();
        // the file is looked at again at most once a second, not for every webhook
        if (loaded != null && now - loaded.checkedAt() < recheckNanos) {
            return loaded.mapping();
        }
        Path file = directory.resolve(mappingName + ".properties");
        FileTime modified = lastModified(file);
        if (loaded == null) {
            loaded = new Loaded(modified, modified.toMillis() == 0 ? missing(file) : read(file), now);
        } else if (!loaded.modified().equals(modified)) {
            loaded = new Loaded(modified, reread(file, modified, loaded.mapping()), now);
        } else {
            loaded = new Loaded(modified, loaded.mapping(), now);
        }
        cache.put(mappingName, loaded);
        return loaded.mapping();
    }

    /** An edited file: a broken save is logged with its line, and the last good mapping goes on serving. */
    private static Map<String, CanonicalStatus> reread(
            Path file, FileTime modified, Map<String, CanonicalStatus> lastGood) {
        if (modified.toMillis() == 0) {
            LOG.error("The status mapping file {} was removed; the last good mapping stays in use", file);
            return lastGood;
        }
        try {
            return read(file);
        } catch (IllegalArgumentException broken) {
            LOG.error("The edit of {} is refused, the last good mapping stays in use: {}", file, broken.getMessage());
            return lastGood;
        }
    }

    private static Map<String, CanonicalStatus> missing(Path file) {
        LOG.warn("No status mapping file {}: every status of this provider is stored as UNKNOWN", file);
        return Map.of();
    }

    /** Lines {@code WORD = STATUS} in properties syntax; # and ! start a comment; a word is listed once. */
    static Map<String, CanonicalStatus> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the status mapping " + file + ": " + e.getMessage(), e);
        }
        Map<String, CanonicalStatus> mapping = new HashMap<>();
        Map<String, Integer> lineOfWord = new HashMap<>();
        for (int index = 0; index < lines.size(); index++) {
            int lineNumber = index + 1;
            String line = lines.get(index).strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            // one line read as properties: escapes such as "Не\ доставлено = FAILED" keep working
            Properties entry = new Properties();
            try {
                entry.load(new StringReader(line));
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": " + e.getMessage());
            }
            String word = entry.stringPropertyNames().stream().findFirst().orElse("");
            String target = entry.getProperty(word, "").strip().toUpperCase(Locale.ROOT);
            if (word.isBlank() || target.isEmpty()) {
                throw new IllegalArgumentException(
                        file + ":" + lineNumber + ": '" + line + "' is not of the form WORD = STATUS");
            }
            CanonicalStatus status;
            try {
                status = CanonicalStatus.valueOf(target);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": " + word + " is mapped to '" + target
                        + "', which is not one of QUEUED, SENT, DELIVERED, READ, FAILED, UNKNOWN");
            }
            Integer earlier = lineOfWord.putIfAbsent(normalize(word), lineNumber);
            if (earlier != null) {
                throw new IllegalArgumentException(file + ":" + lineNumber + ": " + word + " is already mapped on line "
                        + earlier + " (words are matched ignoring case)");
            }
            mapping.put(normalize(word), status);
        }
        LOG.info("Loaded status mapping {} ({} words)", file, mapping.size());
        return Map.copyOf(mapping);
    }

    private static FileTime lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return FileTime.fromMillis(0);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the status mapping " + file + ": " + e.getMessage(), e);
        }
    }

    private static String normalize(String word) {
        return word.trim().toUpperCase(Locale.ROOT);
    }

    private record Loaded(FileTime modified, Map<String, CanonicalStatus> mapping, long checkedAt) {}
}
