package io.dlrhub.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link RetryPolicy} and Retry-After under any input a setting or a receiver can produce: every
 * long of milliseconds or seconds, Duration's own extremes, negative values, any number of
 * attempts, any string of digits as Retry-After. Nothing throws (an exception here once kept a
 * whole batch from being recorded), and every delay is a wait the database can add to its clock.
 */
class RetryPolicyPropertiesTest {

    @Property(tries = 2000)
    void aDelayNeverThrowsAndStaysWithinZeroAndTheClampedMaximum(
            @ForAll("durations") Duration initial,
            @ForAll("durations") Duration max,
            @ForAll int attempts,
            @ForAll("retryAfters") Duration retryAfter) {
        Duration delay = new RetryPolicy(initial, max).delayAfter(attempts, retryAfter);
        assertThat(delay).isBetween(Duration.ZERO, cap(max));
    }

    @Property(tries = 2000)
    void aRetryAfterIsHonouredUpToTheClampedMaximum(
            @ForAll("durations") Duration initial,
            @ForAll("durations") Duration max,
            @ForAll int attempts,
            @ForAll("retryAfters") Duration retryAfter) {
        Duration delay = new RetryPolicy(initial, max).delayAfter(attempts, retryAfter);
        if (retryAfter != null && !retryAfter.isNegative()) {
            Duration asked = retryAfter.compareTo(cap(max)) > 0 ? cap(max) : retryAfter;
            assertThat(delay.toMillis()).isGreaterThanOrEqualTo(asked.toMillis());
        }
    }

    @Property(tries = 2000)
    void anyNumberOfSecondsInRetryAfterIsReadAsAtMostAYear(@ForAll("digits") String seconds) {
        Duration wait = DeliveryFailure.retryAfter(Map.of("Retry-After", seconds));
        assertThat(wait).isBetween(Duration.ZERO, RetryPolicy.LONGEST);
    }

    @Example
    void aRetryAfterOfBillionsOfYearsIsReadAsAYearAndTheDelayIsTheSinksMaximum() {
        Duration wait = DeliveryFailure.retryAfter(Map.of("Retry-After", "99999999999999999"));
        assertThat(wait).isEqualTo(RetryPolicy.LONGEST);
        RetryPolicy crm = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(10));
        assertThat(crm.delayAfter(1, wait)).isEqualTo(Duration.ofMinutes(10));
        RetryPolicy unbounded = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMillis(Long.MAX_VALUE));
        assertThat(unbounded.delayAfter(1, wait)).isEqualTo(RetryPolicy.LONGEST);
        assertThat(unbounded.delayAfter(Integer.MAX_VALUE, null))
                .isBetween(RetryPolicy.LONGEST.dividedBy(2), RetryPolicy.LONGEST);
    }

    /** What the policy promises as the longest delay for this max: max itself, at least 1 ms, at most a year. */
    private static Duration cap(Duration max) {
        if (max.compareTo(Duration.ofMillis(1)) < 0) {
            return Duration.ofMillis(1);
        }
        return max.compareTo(RetryPolicy.LONGEST) > 0 ? RetryPolicy.LONGEST : Duration.ofMillis(max.toMillis());
    }

    @Provide
    Arbitrary<Duration> durations() {
        return Arbitraries.oneOf(
                Arbitraries.longs().map(Duration::ofMillis),
                Arbitraries.longs().map(Duration::ofSeconds),
                Arbitraries.longs().between(0, 4_000_000_000L).map(Duration::ofMillis),
                Arbitraries.of(
                        Duration.ZERO,
                        Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                        Duration.ofSeconds(Long.MIN_VALUE),
                        RetryPolicy.LONGEST,
                        RetryPolicy.LONGEST.plusMillis(1),
                        Duration.ofMillis(Long.MAX_VALUE),
                        Duration.ofMillis(Long.MAX_VALUE / 2 + 1)));
    }

    @Provide
    Arbitrary<Duration> retryAfters() {
        return durations().injectNull(0.1);
    }

    @Provide
    Arbitrary<String> digits() {
        return Arbitraries.strings().withChars("0123456789").ofMinLength(1).ofMaxLength(40);
    }
}
