package io.dlrhub.outbox;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, so that a recovering receiver is not hit by every retry at once. */
public record RetryPolicy(Duration initial, Duration max) {

    /**
     * The wait before attempt {@code attempts + 1}: initial × 2^(attempts-1), capped at max, then
     * randomised into its upper half; never shorter than what the receiver asked for in Retry-After.
     */
    public Duration delayAfter(int attempts, Duration retryAfter) {
        long cap = max.toMillis();
        long base = Math.max(initial.toMillis(), 1);
        for (int doubling = 1; doubling < attempts && base < cap; doubling++) {
            base *= 2;
        }
        base = Math.min(cap, base);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        long asked = retryAfter == null ? 0 : Math.min(retryAfter.toMillis(), cap);
        return Duration.ofMillis(Math.max(jittered, asked));
    }
}
