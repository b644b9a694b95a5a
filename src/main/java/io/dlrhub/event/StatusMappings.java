package io.dlrhub.event;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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

    Map<String, CanonicalStatus> mapping(String mappingName) {
        Loaded loaded = cache.get(mappingName);
        long now = System.nanoTime();
        // the file is looked at again at most once a second, not for every webhook
        if (loaded != null && now - loaded.checkedAt() < recheckNanos) {
            return loaded.mapping();
        }
        Path file = directory.resolve(mappingName + ".properties");
        FileTime modified = lastModified(file);
        if (loaded == null || !loaded.modified().equals(modified)) {
            loaded = new Loaded(modified, read(file, modified), now);
        } else {
            loaded = new Loaded(modified, loaded.mapping(), now);
        }
        cache.put(mappingName, loaded);
        return loaded.mapping();
    }

    private static Map<String, CanonicalStatus> read(Path file, FileTime modified) {
        if (modified.toMillis() == 0) {
            LOG.warn("No status mapping file {}: every status of this provider is stored as UNKNOWN", file);
            return Map.of();
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read status mapping " + file + ": " + e.getMessage(), e);
        }
        Map<String, CanonicalStatus> mapping = new ConcurrentHashMap<>();
        for (String word : properties.stringPropertyNames()) {
            String target = properties.getProperty(word).trim().toUpperCase(Locale.ROOT);
            try {
                mapping.put(normalize(word), CanonicalStatus.valueOf(target));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Status mapping " + file + " maps " + word + " to '" + target
                        + "', which is not one of QUEUED, SENT, DELIVERED, READ, FAILED, UNKNOWN");
            }
        }
        LOG.info("Loaded status mapping {} ({} words)", file, mapping.size());
        return mapping;
    }

    private static FileTime lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return FileTime.fromMillis(0);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read status mapping " + file + ": " + e.getMessage(), e);
        }
    }

    private static String normalize(String word) {
        return word.trim().toUpperCase(Locale.ROOT);
    }

    private record Loaded(FileTime modified, Map<String, CanonicalStatus> mapping, long checkedAt) {
    }
}
