package io.dlrhub.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.observe.SecretLogFilter;
import org.junit.jupiter.api.Test;

/** What an attempt's detail may hold: scrubbed before it is cut, never longer than its column. */
class AttemptTest {

    private static final String SECRET = "sk-attempt-test-0b7e4d19a2c6";

    @Test
    void aSecretAcrossTheCutOfAnAnswerLeavesNoPartOfItself() {
        SecretLogFilter.keepOut(SECRET);
        for (int offset = 180; offset < 210; offset++) {
            String body = "x".repeat(offset) + SECRET + " and more";
            String excerpt = Attempt.excerpt(body);
            for (int length = 6; length <= SECRET.length(); length++) {
                assertThat(excerpt).as("offset %d", offset).doesNotContain(SECRET.substring(0, length));
            }
            assertThat(excerpt.length()).isLessThanOrEqualTo(200);
        }
    }

    @Test
    void aHugeAnswerIsCutAndTheDetailFitsItsColumn() {
        String huge = "\uD83D\uDE00".repeat(100_000);
        assertThat(Attempt.excerpt(huge)).hasSizeLessThanOrEqualTo(200);
        String detail = Attempt.safe("HTTP 500 " + huge);
        assertThat(detail).hasSizeLessThanOrEqualTo(Attempt.MAX_DETAIL).endsWith("…");
        // no half of a surrogate pair before the ellipsis
        assertThat(Character.isHighSurrogate(detail.charAt(detail.length() - 2)))
                .isFalse();
    }

    @Test
    void queryStringsUserInfoAndControlCharactersAreRemoved() {
        assertThat(Attempt.safe("see https://u:p4ss@crm.example/x?sig=abc&k=1\r\nnext\u0000line"))
                .isEqualTo("see https://…@crm.example/x?… next line");
    }
}
