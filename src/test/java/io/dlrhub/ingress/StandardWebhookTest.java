package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The generic Standard Webhooks entry point end to end: JSON delivery reports signed the way the
 * Standard Webhooks specification says (computed here with the JDK alone, independently of
 * dlr-hub's own StandardWebhooks class), checked in the database the service committed to.
 */
class StandardWebhookTest {

    static final String JSON = "application/json";
    static final String PATH = "/webhooks/standard";
    static final String SECRET = secret("dlr-hub standard webhook secret #1");
    static final String NEXT_SECRET = secret("dlr-hub standard webhook secret #2");
    static final Path VECTORS = Path.of("src/test/resources/fixtures/standard-webhooks/vectors.json");
    static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension
    static final HubExtension shared =
            HubExtension.on(TestDatabase::h2InMemory).with("standard.webhook-secrets", SECRET + " " + NEXT_SECRET);

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    // --- what a Standard Webhooks sender does ---------------------------------------------------

    static String secret(String seed) {
        return "whsec_" + Base64.getEncoder().encodeToString(seed.getBytes(StandardCharsets.UTF_8));
    }

    /** webhook-signature: "v1," + base64(HMAC-SHA256(base64decode(secret after whsec_), id.timestamp.body)). */
    static String signature(String secret, String id, long timestamp, String body) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] signed = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(signed);
    }

    static String report(String messageId, String status) {
        return """
                {"type":"message.status","timestamp":"2026-11-27T10:00:01Z",\
                "data":{"channel":"SMS","message_id":"%s","status":"%s","error_code":null}}""".formatted(messageId, status);
    }

    static String newWebhookId() {
        return "msg_" + UUID.randomUUID().toString().replace("-", "");
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    Reply send(String secret, String id, long timestamp, String contentType, String body) throws Exception {
        return hub.post(
                PATH,
                contentType,
                body,
                "webhook-id",
                id,
                "webhook-timestamp",
                Long.toString(timestamp),
                "webhook-signature",
                signature(secret, id, timestamp, body));
    }

    Reply standard(String id, String body) throws Exception {
        return send(SECRET, id, now(), JSON, body);
    }

    Reply standard(String body) throws Exception {
        return standard(newWebhookId(), body);
    }

    long eventsFor(String messageId) {
        return Sql.count(
                database,
                "SELECT COUNT(*) FROM delivery_event WHERE provider = 'standard' AND message_id = ?",
                messageId);
    }

    Map<String, Object> onlyEvent(String messageId) {
        List<Map<String, Object>> rows = Sql.rows(
                database, "SELECT * FROM delivery_event WHERE provider = 'standard' AND message_id = ?", messageId);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    static JsonNode payload(Map<String, Object> row) throws Exception {
        return MAPPER.readTree(row.get("payload").toString());
    }

    // --- tests ----------------------------------------------------------------------------------

    @Test
    void aSignedReportIsStoredAsACanonicalEvent() throws Exception {
        String id = newWebhookId();
        String body = """
                {"type":"message.status","timestamp":"2026-11-27T11:00:01+01:00",\
                "data":{"channel":"viber","message_id":"std-1","status":"DELIVERED","error_code":null,\
                "price":"0.0075","segments":2}}""";

        Reply reply = standard(id, body);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        Map<String, Object> row = onlyEvent("std-1");
        assertThat(row.get("event_id").toString()).isEqualTo(reply.field("event_id"));
        assertThat(row)
                .containsEntry("channel", "VIBER")
                .containsEntry("status", "DELIVERED")
                .containsEntry("provider_status", "DELIVERED")
                .containsEntry("dedup_key", id);
        assertThat(row.get("error_code")).isNull();

        JsonNode payload = payload(row);
        assertThat(payload.get("occurred_at").asText()).isEqualTo("2026-11-27T10:00:01Z");
        assertThat(payload.get("error_code").isNull()).isTrue();
        // attributes are the unused fields: "type", and what is left of "data" (as JSON text)
        // once the mapped fields (channel, message_id, status, error_code) are taken out
        JsonNode attributes = payload.get("attributes");
        assertThat(attributes.get("type").asText()).isEqualTo("message.status");
        assertThat(attributes.has("timestamp")).isFalse();
        JsonNode data = MAPPER.readTree(attributes.get("data").asText());
        assertThat(data.get("price").asText()).isEqualTo("0.0075");
        assertThat(data.get("segments").asInt()).isEqualTo(2);
        assertThat(data.has("message_id") || data.has("channel") || data.has("status") || data.has("error_code"))
                .as("mapped fields are not stored twice")
                .isFalse();
        assertThat(attributes.size()).isEqualTo(2);

        assertThat(Sql.rows(
                        database,
                        "SELECT status FROM message_status WHERE provider = 'standard' AND message_id = 'std-1'"))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");
    }

    @Test
    void aFailedReportKeepsItsErrorCode() throws Exception {
        String body = """
                {"type":"message.status","timestamp":"2026-11-27T10:00:01Z",\
                "data":{"channel":"SMS","message_id":"std-fail-1","status":"UNDELIVERED","error_code":30003}}""";

        assertThat(standard(body).status()).isEqualTo(200);

        assertThat(onlyEvent("std-fail-1"))
                .containsEntry("status", "FAILED")
                .containsEntry("provider_status", "UNDELIVERED")
                .containsEntry("error_code", "30003");
    }

    @Test
    void theCanonicalWordsAndTheirSynonymsAreMapped() throws Exception {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("QUEUED", "QUEUED"),
                Map.entry("SENT", "SENT"),
                Map.entry("DELIVERED", "DELIVERED"),
                Map.entry("READ", "READ"),
                Map.entry("FAILED", "FAILED"),
                Map.entry("accepted", "QUEUED"),
                Map.entry("ENROUTE", "SENT"),
                Map.entry("DELIVRD", "DELIVERED"),
                Map.entry("seen", "READ"),
                Map.entry("UNDELIVERED", "FAILED"),
                Map.entry("EXPIRED", "FAILED"),
                Map.entry("REJECTED", "FAILED"),
                Map.entry("SOMETHING_NEW", "UNKNOWN"));
        for (String word : expected.keySet()) {
            assertThat(standard(report("std-map-" + word, word)).status())
                    .as(word)
                    .isEqualTo(200);
        }
        expected.forEach((word, status) -> assertThat(onlyEvent("std-map-" + word))
                .as(word)
                .containsEntry("status", status)
                .containsEntry("provider_status", word));
    }

    @Test
    void aReplayedWebhookIdIsADuplicateOfTheFirstEvenWithAnotherBody() throws Exception {
        String id = newWebhookId();
        Reply first = standard(id, report("std-replay-1", "SENT"));
        Reply replay = standard(id, report("std-replay-2", "DELIVERED"));

        assertThat(first.field("status")).isEqualTo("accepted");
        assertThat(replay.status()).as(replay.toString()).isEqualTo(200);
        assertThat(replay.field("status")).isEqualTo("duplicate");
        assertThat(replay.field("event_id")).isEqualTo(first.field("event_id"));
        assertThat(eventsFor("std-replay-1")).isEqualTo(1);
        assertThat(eventsFor("std-replay-2")).isZero();
    }

    @Test
    void theSameStatusUnderTwoWebhookIdsIsTwoEvents() throws Exception {
        // the webhook-id, not channel + message_id + status, says whether a report was seen before
        assertThat(standard(report("std-twice-1", "SENT")).field("status")).isEqualTo("accepted");
        assertThat(standard(report("std-twice-1", "SENT")).field("status")).isEqualTo("accepted");
        assertThat(eventsFor("std-twice-1")).isEqualTo(2);
    }

    @Test
    void aReportSignedWithTheSecondSecretIsAccepted() throws Exception {
        Reply reply = send(NEXT_SECRET, newWebhookId(), now(), JSON, report("std-rotation-1", "SENT"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(eventsFor("std-rotation-1")).isEqualTo(1);
    }

    @Test
    void aReportWhoseSignatureDoesNotHoldIsRefusedWith401AndNothingIsStored() throws Exception {
        String body = report("std-forged-1", "DELIVERED");
        String id = newWebhookId();
        long now = now();
        String good = signature(SECRET, id, now, body);
        List<Reply> replies = new ArrayList<>();

        replies.add(hub.post(
                PATH,
                JSON,
                body.replace("DELIVERED", "FAILED"),
                "webhook-id",
                id,
                "webhook-timestamp",
                Long.toString(now),
                "webhook-signature",
                good));
        replies.add(send(secret("not the secret"), newWebhookId(), now, JSON, body));
        replies.add(hub.post(PATH, JSON, body));
        replies.add(hub.post(PATH, JSON, body, "webhook-timestamp", Long.toString(now), "webhook-signature", good));
        replies.add(hub.post(PATH, JSON, body, "webhook-id", id, "webhook-signature", good));
        replies.add(hub.post(PATH, JSON, body, "webhook-id", id, "webhook-timestamp", Long.toString(now)));
        replies.add(send(SECRET, newWebhookId(), now - 6 * 60, JSON, body));
        replies.add(send(SECRET, newWebhookId(), now + 6 * 60, JSON, body));

        for (Reply reply : replies) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
            assertThat(reply.field("error")).isEqualTo("unauthorized");
            assertThat(reply.body()).doesNotContain(SECRET).doesNotContain(good.substring(3));
        }
        assertThat(eventsFor("std-forged-1")).isZero();
    }

    @Test
    void aFormBodyIsRefusedWith415() throws Exception {
        Reply form = send(SECRET, newWebhookId(), now(), FORM, "channel=SMS&message_id=std-type-1&status=SENT");

        assertThat(form.status()).as(form.toString()).isEqualTo(415);
        assertThat(form.field("error")).isEqualTo("unsupported_media_type");
        assertThat(form.field("message")).contains("application/json");
        assertThat(eventsFor("std-type-1")).isZero();
    }

    @Test
    void aBodyThatIsNotOneJsonObjectIsRefusedWith400() throws Exception {
        Reply malformed = standard("{\"type\":\"message.status\",\"data\":{\"message_id\":\"std-body-1\"");
        Reply array = standard("[" + report("std-body-1", "SENT") + "]");
        Reply duplicateKeys = standard("""
                {"type":"message.status","timestamp":"2026-11-27T10:00:01Z",\
                "data":{"channel":"SMS","message_id":"std-body-1","status":"SENT","status":"DELIVERED"}}""");

        for (Reply reply : List.of(malformed, array, duplicateKeys)) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
            assertThat(reply.field("error")).isEqualTo("invalid_body");
            assertThat(reply.body()).doesNotContain("Exception");
        }
        assertThat(duplicateKeys.field("message")).contains("given twice");
        assertThat(eventsFor("std-body-1")).isZero();
    }

    @Test
    void aMissingMessageIdIsRefusedWith400NamingIt() throws Exception {
        Reply reply = standard("""
                {"type":"message.status","timestamp":"2026-11-27T10:00:01Z",\
                "data":{"channel":"SMS","status":"SENT"}}""");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.field("error")).isEqualTo("missing_field");
        assertThat(reply.field("message")).contains("data.message_id");
    }

    @Test
    void aTimestampThatIsNotIso8601IsRefusedWith400NamingIt() throws Exception {
        Reply reply = standard("""
                {"type":"message.status","timestamp":"27/11/2026 10:00",\
                "data":{"channel":"SMS","message_id":"std-time-1","status":"SENT"}}""");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.field("error")).isEqualTo("invalid_field");
        assertThat(reply.field("message")).contains("timestamp");
        assertThat(eventsFor("std-time-1")).isZero();
    }

    /**
     * The published vector (the reference libraries' valid case) is checked with the same JDK
     * signing used by every test here, so the test's signer is the specification's algorithm. The
     * vector itself cannot be sent to dlr-hub: its timestamp is from 2021, far outside the 5
     * minutes the service accepts, and the running service's clock cannot be set.
     */
    @Test
    void theSignerOfTheseTestsReproducesThePublishedVector() throws Exception {
        JsonNode valid = MAPPER.readTree(Files.readString(VECTORS)).get("valid");

        assertThat(signature(
                        valid.get("secret").asText(),
                        valid.get("webhook-id").asText(),
                        Long.parseLong(valid.get("webhook-timestamp").asText()),
                        valid.get("body").asText()))
                .isEqualTo(valid.get("webhook-signature").asText());
    }
}
