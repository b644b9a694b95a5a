package io.dlrhub.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final int SAMPLES = 200;
    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofMinutes(10);
    private final RetryPolicy policy = new RetryPolicy(INITIAL, MAX);

    private long[] samples(RetryPolicy p, int attempts, Duration retryAfter) {
        long[] out = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            out[i] = p.delayAfter(attempts, retryAfter).toMillis();
        }
        return out;
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long expectedBase(RetryPolicy p, int attempts) {
        double exponential = p.initial().toMillis() * Math.pow(2, attempts - 1);
        return (long) Math.min(p.max().toMillis(), exponential);
    }

    @Test
    void delayStaysInTheUpperHalfOfTheExponentialBaseForAttemptsOneToForty() {
        for (int attempts = 1; attempts <= 40; attempts++) {
            long base = expectedBase(policy, attempts);
            for (long delay : samples(policy, attempts, null)) {
                assertThat(delay).as("attempt %d", attempts).isBetween(base / 2, base);
            }
        }
    }

    @Test
    void delayStaysWithinBoundsForAnOddInitialAndSmallMax() {
        RetryPolicy odd = new RetryPolicy(Duration.ofMillis(333), Duration.ofMillis(10_001));
        for (int attempts = 1; attempts <= 40; attempts++) {
            long base = expectedBase(odd, attempts);
            for (long delay : samples(odd, attempts, null)) {
                assertThat(delay).as("attempt %d", attempts).isBetween(base / 2, base);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 32, 63, 64, 1000, Integer.MAX_VALUE})
    void hugeAttemptNumbersNeitherOverflowNorExceedMax(int attempts) {
        for (long delay : samples(policy, attempts, null)) {
            assertThat(delay).isBetween(MAX.toMillis() / 2, MAX.toMillis());
        }
    }

    @Test
    void aLongerRetryAfterWinsButIsCappedAtMax() {
        // attempt 1: the computed delay is at most 1 s
        assertThat(policy.delayAfter(1, Duration.ofSeconds(120))).isEqualTo(Duration.ofSeconds(120));
        assertThat(policy.delayAfter(1, Duration.ofHours(5))).isEqualTo(MAX);
        assertThat(policy.delayAfter(1, Duration.ofDays(365 * 100))).isEqualTo(MAX);
    }

    @Test
    void aShorterRetryAfterDoesNotShortenTheDelay() {
        long base = expectedBase(policy, 8); // 128 s
        for (long delay : samples(policy, 8, Duration.ofSeconds(1))) {
            assertThat(delay).isBetween(base / 2, base);
        }
        for (long delay : samples(policy, 8, Duration.ZERO)) {
            assertThat(delay).isBetween(base / 2, base);
        }
    }

    @Test
    void delayGrowsWithTheNumberOfAttempts() {
        assertThat(median(samples(policy, 5, null))).isGreaterThan(median(samples(policy, 2, null)));
        assertThat(median(samples(policy, 10, null))).isGreaterThan(median(samples(policy, 5, null)));
    }

    @Test
    void delayIsJittered() {
        Set<Long> distinct = new HashSet<>();
        for (long delay : samples(policy, 5, null)) {
            distinct.add(delay);
        }
        assertThat(distinct).hasSizeGreaterThan(1);
    }

    @Test
    void zeroOrNegativeAttemptsAreTreatedLikeTheFirst() {
        long base = INITIAL.toMillis();
        for (int attempts : new int[] {0, -1}) {
            for (long delay : samples(policy, attempts, null)) {
                assertThat(delay).isBetween(base / 2, base);
            }
        }
    }
}
