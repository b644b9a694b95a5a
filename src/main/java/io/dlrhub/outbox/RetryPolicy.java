package io.dlrhub.outbox;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, so that a recovering receiver is not hit by every retry at once.
 * Every input is clamped to [0, {@link #LONGEST}] before any arithmetic, so no setting and no
 * Retry-After can overflow it: a delay is always a number of milliseconds the database can add to
 * its clock.
 */
public record RetryPolicy(Duration initial, Duration max) {

    /** No wait is longer than this, whatever max or Retry-After say (a year: far below any overflow). */
    public static final Duration LONGEST = Duration.ofDays(365);

    /**
     * The wait before attempt {@code attempts + 1}: initial × 2^(attempts-1), capped at max, then
     * randomised into its upper half; never shorter than what the receiver asked for in Retry-After
     * (which is capped at max too).
     */
    public Duration delayAfter(int attempts, Duration retryAfter) {
        long cap = Math.max(millis(max), 1);
        long base = Math.min(Math.max(millis(initial), 1), cap);
        // base < cap <= LONGEST, so doubling stays far below Long.MAX_VALUE
        for (int doubling = 1; doubling < attempts && base < cap; doubling++) {
            base *= 2;
        }
        base = Math.min(cap, base);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        long asked = Math.min(millis(retryAfter), cap);
        return Duration.ofMillis(Math.max(jittered, asked));
    }

    /** The duration in milliseconds, clamped to [0, LONGEST]; null is 0. */
    static long millis(Duration duration) {
        if (duration == null || duration.isNegative()) {
            return 0;
        }
        // compared before toMillis(), which throws for more than ~292 million years
        return duration.compareTo(LONGEST) > 0 ? LONGEST.toMillis() : duration.toMillis();
    }
}
