package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Driven by {@code src/test/resources/fixtures/standard-webhooks/vectors.json}, used verbatim. */
class StandardWebhooksTest {

    private static final Path VECTORS = Path.of("src/test/resources/fixtures/standard-webhooks/vectors.json");
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    /** Another valid secret, for rotation tests. */
    private static final String OTHER_SECRET = "whsec_"
            + Base64.getEncoder()
                    .encodeToString("another 32-byte secret for tests".getBytes(StandardCharsets.US_ASCII));

    private static JsonNode vectors;
    private static String secret;
    private static String id;
    private static String timestamp;
    private static byte[] body;
    private static String signature;

    @BeforeAll
    static void readVectors() throws IOException {
        vectors = new ObjectMapper().readTree(VECTORS.toFile());
        JsonNode valid = vectors.get("valid");
        secret = valid.get("secret").asText();
        id = valid.get("webhook-id").asText();
        timestamp = valid.get("webhook-timestamp").asText();
        body = valid.get("body").asText().getBytes(StandardCharsets.UTF_8);
        signature = valid.get("webhook-signature").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(vectors.get("must_pass")).hasSize(3);
        assertThat(vectors.get("must_fail")).hasSize(4);
    }

    // ---- the valid vector -------------------------------------------------------------------

    @Test
    void theValidVectorVerifiesAtItsTimestamp() {
        assertThatCode(() -> webhooks(secret).verify(id, timestamp, signature, body))
                .doesNotThrowAnyException();
    }

    @Test
    void signReproducesTheVectorsSignature() {
        assertThat(webhooks(secret).sign(id, Long.parseLong(timestamp), body)).isEqualTo(signature);
    }

    @Test
    void signUsesTheFirstSecret() {
        assertThat(webhooks(secret, OTHER_SECRET).sign(id, Long.parseLong(timestamp), body))
                .isEqualTo(signature);
        assertThat(webhooks(OTHER_SECRET, secret).sign(id, Long.parseLong(timestamp), body))
                .startsWith("v1,")
                .isNotEqualTo(signature);
    }

    // ---- must_pass ----------------------------------------------------------------------------

    @Test
    void mustPass_severalSignaturesWhereOneIsValid() {
        String header = single(quoted(mustPass(0)));
        assertThat(header.split(" ")).hasSize(3).contains(signature);
        assertThatCode(() -> webhooks(secret).verify(id, timestamp, header, body))
                .doesNotThrowAnyException();
    }

    @Test
    void mustPass_theSecretWithOrWithoutThePrefix() {
        assertThat(mustPass(2)).contains("whsec_");
        String withoutPrefix = secret.substring("whsec_".length());
        assertThatCode(() -> webhooks(secret).verify(id, timestamp, signature, body))
                .doesNotThrowAnyException();
        assertThatCode(() -> webhooks(withoutPrefix).verify(id, timestamp, signature, body))
                .doesNotThrowAnyException();
        assertThat(webhooks(withoutPrefix).sign(id, Long.parseLong(timestamp), body))
                .isEqualTo(signature);
    }

    // must_pass[1] ("header names in any case") is about looking the headers up, which the caller
    // does (Camel's message headers are case-insensitive); verify() receives the values only.

    @Test
    void twoSecretsWhereOnlyTheSecondMatchesPass() {
        assertThatCode(() -> webhooks(OTHER_SECRET, secret).verify(id, timestamp, signature, body))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> webhooks(OTHER_SECRET).verify(id, timestamp, signature, body))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void exactlyTheToleranceStillPasses() {
        long ts = Long.parseLong(timestamp);
        StandardWebhooks fiveMinutesLater = webhooks(clockAt(ts + 300), secret);
        StandardWebhooks fiveMinutesEarlier = webhooks(clockAt(ts - 300), secret);
        assertThatCode(() -> fiveMinutesLater.verify(id, timestamp, signature, body))
                .doesNotThrowAnyException();
        assertThatCode(() -> fiveMinutesEarlier.verify(id, timestamp, signature, body))
                .doesNotThrowAnyException();
    }

    // ---- must_fail ----------------------------------------------------------------------------

    @Test
    void mustFail_v2Alone() {
        String v2 = single(quoted(mustFail(0)));
        assertThat(v2).startsWith("v2,").isEqualTo("v2," + signature.substring("v1,".length()));
        assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, v2, body));
    }

    @Test
    void mustFail_invalidSignatures() {
        List<String> invalid = quoted(mustFail(1));
        assertThat(invalid).containsExactly("invalid_signature", "v1,invalid_signature");
        for (String header : invalid) {
            assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, header, body));
        }
    }

    @Test
    void mustFail_timestampFiveMinutesAndOneSecondFromNow() {
        assertThat(mustFail(2)).contains("5 minutes and 1 second");
        long ts = Long.parseLong(timestamp);
        // the message is too old: now is 5 min 1 s after its timestamp
        assertUnauthenticated(() -> webhooks(clockAt(ts + 301), secret).verify(id, timestamp, signature, body))
                .hasMessageContaining("timestamp");
        // the message is from the future: now is 5 min 1 s before its timestamp
        assertUnauthenticated(() -> webhooks(clockAt(ts - 301), secret).verify(id, timestamp, signature, body))
                .hasMessageContaining("timestamp");
    }

    @Test
    void mustFail_changedBody() {
        assertThat(mustFail(3)).contains("body");
        byte[] changed = (new String(body, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
        assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, signature, changed));
        byte[] flipped = body.clone();
        flipped[flipped.length - 2] ^= 1;
        assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, signature, flipped));
        assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, signature, new byte[0]));
    }

    @Test
    void mustFail_changedId() {
        assertThat(mustFail(3)).contains("id");
        assertUnauthenticated(() -> webhooks(secret).verify(id + "x", timestamp, signature, body));
        assertUnauthenticated(() -> webhooks(secret).verify(id.substring(1), timestamp, signature, body));
    }

    @Test
    void mustFail_changedTimestamp() {
        assertThat(mustFail(3)).contains("timestamp");
        String oneSecondLater = Long.toString(Long.parseLong(timestamp) + 1); // within the tolerance
        assertUnauthenticated(() -> webhooks(secret).verify(id, oneSecondLater, signature, body))
                .hasMessageContaining("signature");
    }

    // ---- other failures -----------------------------------------------------------------------

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  "})
    void missingHeadersFail(String missing) {
        StandardWebhooks webhooks = webhooks(secret);
        assertUnauthenticated(() -> webhooks.verify(missing, timestamp, signature, body))
                .hasMessageContaining("missing webhook-id");
        assertUnauthenticated(() -> webhooks.verify(id, missing, signature, body))
                .hasMessageContaining("missing webhook-timestamp");
        assertUnauthenticated(() -> webhooks.verify(id, timestamp, missing, body))
                .hasMessageContaining("missing webhook-signature");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1614265330.5", "1614265330abc", "0x60378c72", "99999999999999999999999"})
    void aTimestampThatIsNotAnIntegerFails(String notAnInteger) {
        assertUnauthenticated(() -> webhooks(secret).verify(id, notAnInteger, signature, body))
                .hasMessageContaining("integer");
    }

    @Test
    void aV1SignatureFromAnotherSecretFails() {
        String foreign = webhooks(OTHER_SECRET).sign(id, Long.parseLong(timestamp), body);
        assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, foreign, body));
    }

    @Test
    void theSignatureWithoutItsVersionFails() {
        String bare = signature.substring("v1,".length());
        assertUnauthenticated(() -> webhooks(secret).verify(id, timestamp, bare, body));
    }

    // ---- secrets ------------------------------------------------------------------------------

    @Test
    void anEmptyListOfSecretsIsRejected() {
        assertThatThrownBy(() -> webhooks()).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"whsec_not*base64!", "not*base64!", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwX", "whsec_", ""})
    void aSecretThatIsNotValidBase64IsRejectedWithoutQuotingIt(String bad) {
        assertThatThrownBy(() -> webhooks(secret, bad))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> {
                    if (!bad.isEmpty() && !bad.equals("whsec_")) {
                        assertThat(e.getMessage()).doesNotContain(bad).doesNotContain(bad.replace("whsec_", ""));
                    }
                    assertThat(e.getMessage()).doesNotContain(secret).doesNotContain(secret.substring(6));
                    assertThat(e.getCause()).isNull();
                });
    }

    @Test
    void failureMessagesContainNeitherTheSecretNorTheExpectedSignature() {
        long ts = Long.parseLong(timestamp);
        String expectedBase64 = signature.substring("v1,".length());
        String withoutPrefix = secret.substring("whsec_".length());
        List<Runnable> failures = new ArrayList<>();
        failures.add(() -> webhooks(secret).verify(id, timestamp, "v1,invalid_signature", body));
        failures.add(() -> webhooks(secret).verify(id, timestamp, "v2," + expectedBase64, body));
        failures.add(() -> webhooks(secret).verify(id + "x", timestamp, signature, body));
        failures.add(() -> webhooks(clockAt(ts + 301), secret).verify(id, timestamp, signature, body));
        failures.add(() -> webhooks(secret).verify(null, timestamp, signature, body));
        failures.add(() -> webhooks(secret).verify(id, "abc", signature, body));
        for (Runnable failure : failures) {
            assertThatThrownBy(failure::run)
                    .isInstanceOf(UnauthenticatedException.class)
                    .satisfies(e -> assertThat(e.getMessage())
                            .isNotBlank()
                            .doesNotContain(withoutPrefix)
                            .doesNotContain(expectedBase64));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static StandardWebhooks webhooks(String... secrets) {
        return webhooks(clockAt(Long.parseLong(timestamp)), secrets);
    }

    private static StandardWebhooks webhooks(Clock clock, String... secrets) {
        return new StandardWebhooks(List.of(secrets), clock, TOLERANCE);
    }

    private static Clock clockAt(long epochSeconds) {
        return Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
    }

    private static String mustPass(int index) {
        return vectors.get("must_pass").get(index).asText();
    }

    private static String mustFail(int index) {
        return vectors.get("must_fail").get(index).asText();
    }

    /** The single-quoted values inside a case's description, e.g. {@code 'v1,abc='}. */
    private static List<String> quoted(String description) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'").matcher(description);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    private static String single(List<String> values) {
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertUnauthenticated(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        return assertThatThrownBy(call).isInstanceOf(UnauthenticatedException.class);
    }
}
