package io.dlrhub.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.ConnectException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeliveryFailureTest {

    private static final String URI = "https://crm.example/hook?token=abc";

    private static HttpOperationFailedException http(int status, Map<String, String> headers) {
        return new HttpOperationFailedException(URI, status, "Status " + status, null, headers, "body");
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 429, 500, 502, 503})
    void retryableStatusesAreNotPermanent(int status) {
        DeliveryFailure failure = DeliveryFailure.of(http(status, Map.of()));

        assertThat(failure.permanent()).isFalse();
        assertThat(failure.description()).contains("HTTP " + status);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 422})
    void otherClientErrorsArePermanent(int status) {
        DeliveryFailure failure = DeliveryFailure.of(http(status, Map.of()));

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.description()).contains("HTTP " + status);
    }

    @Test
    void httpDescriptionDoesNotLeakTheUri() {
        DeliveryFailure failure = DeliveryFailure.of(http(500, Map.of()));

        assertThat(failure.description()).doesNotContain("abc").doesNotContain("crm.example");
    }

    @Test
    void aRetryAfterInSecondsIsReadAsThatMany() {
        DeliveryFailure failure = DeliveryFailure.of(http(503, Map.of("Retry-After", "120")));

        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void aRetryAfterAsAnHttpDateIsReadAsTheTimeUntilIt() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        DeliveryFailure failure = DeliveryFailure.of(http(429, Map.of("Retry-After", date)));

        assertThat(failure.retryAfter()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(61));
    }

    @Test
    void retryAfterHeaderNameIsCaseInsensitive() {
        DeliveryFailure failure = DeliveryFailure.of(http(429, Map.of("retry-after", "7")));

        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void garbageOrMissingRetryAfterIsIgnored() {
        assertThat(DeliveryFailure.of(http(503, Map.of("Retry-After", "soon-ish")))
                        .retryAfter())
                .isNull();
        assertThat(DeliveryFailure.of(http(503, Map.of())).retryAfter()).isNull();
        assertThat(DeliveryFailure.of(http(503, null)).retryAfter()).isNull();
    }

    @Test
    void retryAfterInThePastIsZero() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).minusHours(1));

        assertThat(DeliveryFailure.of(http(503, Map.of("Retry-After", date))).retryAfter())
                .isEqualTo(Duration.ZERO);
    }

    @Test
    void wrappedHttpFailureIsStillRecognised() {
        HttpOperationFailedException cause = http(404, Map.of("Retry-After", "5"));

        DeliveryFailure viaCamel = DeliveryFailure.of(new CamelExecutionException("boom", null, cause));
        DeliveryFailure viaRuntime = DeliveryFailure.of(new RuntimeException(new IllegalStateException(cause)));

        assertThat(viaCamel.permanent()).isTrue();
        assertThat(viaCamel.description()).contains("HTTP 404");
        assertThat(viaCamel.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(viaRuntime.permanent()).isTrue();
        assertThat(viaRuntime.description()).contains("HTTP 404");
    }

    @Test
    void permanentDeliveryExceptionIsPermanentWithItsMessage() {
        DeliveryFailure failure =
                DeliveryFailure.of(new RuntimeException(new PermanentDeliveryException("receiver rejected the event")));

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.retryAfter()).isNull();
        assertThat(failure.description()).isEqualTo("receiver rejected the event");
    }

    @Test
    void aPermanentFailureWithoutAMessageIsStillPermanentAndDescribed() {
        DeliveryFailure failure = DeliveryFailure.of(new PermanentDeliveryException(null));

        assertThat(failure.permanent()).isTrue();
        assertThat(failure.description()).isNotNull();
    }

    @Test
    void networkErrorIsNotPermanentAndNamesTheRootCause() {
        DeliveryFailure failure = DeliveryFailure.of(new RuntimeException(new ConnectException("Connection refused")));

        assertThat(failure.permanent()).isFalse();
        assertThat(failure.retryAfter()).isNull();
        assertThat(failure.description()).isEqualTo("ConnectException: Connection refused");
    }

    @Test
    void exceptionWithoutMessageIsDescribedByItsType() {
        assertThat(DeliveryFailure.of(new IllegalStateException()).description())
                .isEqualTo("IllegalStateException");
    }

    @Test
    void descriptionHidesQueryStringAndCredentials() {
        DeliveryFailure failure =
                DeliveryFailure.of(new RuntimeException("failed https://user:secret@crm.example/x?token=abc"));

        assertThat(failure.description())
                .doesNotContain("secret")
                .doesNotContain("abc")
                .doesNotContain("user:")
                .contains("crm.example/x");
    }

    @Test
    void descriptionHasNoLineBreaks() {
        DeliveryFailure failure = DeliveryFailure.of(new RuntimeException("line one\r\nline two\nthree\rfour"));

        assertThat(failure.description())
                .doesNotContain("\r")
                .doesNotContain("\n")
                .contains("line one");
    }

    @Test
    void longDescriptionIsClipped() {
        DeliveryFailure failure = DeliveryFailure.of(new PermanentDeliveryException("x".repeat(5000)));

        assertThat(failure.description()).hasSizeLessThanOrEqualTo(901).startsWith("xxxxxxxxxx");
    }

    @Test
    void cyclicCauseChainTerminates() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);

        DeliveryFailure failure = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> DeliveryFailure.of(a));

        assertThat(failure.permanent()).isFalse();
    }
}
