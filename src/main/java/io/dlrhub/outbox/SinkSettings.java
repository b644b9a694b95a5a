package io.dlrhub.outbox;

import io.dlrhub.Settings;
import io.dlrhub.event.CanonicalStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How one sink is fed, from settings {@code sink.<name>.*} (defaults {@code outbox.*}).
 *
 * @param statuses      canonical statuses the sink wants; empty means all
 * @param digest        zero: one delivery per event; otherwise events wait this long and go out as one list
 * @param maxAttempts   attempts before a delivery is dead; 0 means it is retried for ever
 * @param concurrency   deliveries to this sink at once, on threads of its own: a slow sink delays only itself
 * @param timeout       longest one delivery may take; then it counts as a failed attempt and is retried
 */
public record SinkSettings(
        String name,
        boolean enabled,
        Set<CanonicalStatus> statuses,
        Duration digest,
        RetryPolicy retry,
        int maxAttempts,
        int concurrency,
        Duration timeout) {

    public static SinkSettings read(String name, Settings settings) {
        String prefix = "sink." + name + ".";
        boolean enabledByDefault = !"crm".equals(name) || settings.get("crm.url", null) != null;
        boolean enabled = settings.getBoolean(prefix + "enabled", enabledByDefault);
        Set<CanonicalStatus> statuses = settings.getList(prefix + "statuses").stream()
                .map(s -> CanonicalStatus.valueOf(s.toUpperCase(Locale.ROOT)))
                .collect(Collectors.toUnmodifiableSet());
        Duration digest = Duration.ofSeconds(settings.getLong(prefix + "digest-seconds", 0));
        RetryPolicy retry = new RetryPolicy(
                Duration.ofMillis(settings.getLong(
                        prefix + "retry-initial-ms", settings.getLong("outbox.retry-initial-ms", 1000))),
                Duration.ofMillis(
                        settings.getLong(prefix + "retry-max-ms", settings.getLong("outbox.retry-max-ms", 600_000))));
        int maxAttempts = settings.getInt(prefix + "max-attempts", settings.getInt("outbox.max-attempts", 15));
        int concurrency = settings.getInt(prefix + "concurrency", settings.getInt("outbox.concurrency", 16));
        if (concurrency < 1) {
            throw new IllegalStateException("Setting " + prefix + "concurrency must be at least 1, got " + concurrency);
        }
        Duration timeout = Duration.ofMillis(
                settings.getLong(prefix + "timeout-ms", settings.getLong("outbox.delivery-timeout-ms", 60_000)));
        return new SinkSettings(name, enabled, statuses, digest, retry, maxAttempts, concurrency, timeout);
    }

    public boolean wants(CanonicalStatus status) {
        return enabled && (statuses.isEmpty() || statuses.contains(status));
    }

    public boolean isDigest() {
        return !digest.isZero();
    }

    public boolean isExhausted(int attempts) {
        return maxAttempts > 0 && attempts >= maxAttempts;
    }
}
