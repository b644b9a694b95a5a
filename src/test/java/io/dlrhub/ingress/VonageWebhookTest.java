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
import java.net.http.HttpRequest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Vonage (Nexmo) SMS API delivery receipts end to end: real HTTP into the running service (GET
 * query, POST JSON, POST form, as the account is set up), checked in the database it committed to.
 */
class VonageWebhookTest {

    static final String TOKEN = "vonage-token-one";
    static final String JSON = "application/json";

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory).with("vonage.tokens", TOKEN);

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    /** Vonage's documented example receipt, as GET query parameters (the account's default). */
    static String receiptQuery(String messageId, String status, String errCode, String scts) {
        return "msisdn=447700900000&to=AcmeInc&network-code=23410&messageId=" + messageId
                + "&price=0.03330000&status=" + status + "&scts=" + scts + "&err-code=" + errCode
                + "&api-key=abcd1234&message-timestamp=2018-10-25+12%3A10%3A29&client-ref=order-42";
    }

    static String receiptJson(String messageId, String status, String errCode, String scts) {
        return "{\"msisdn\":\"447700900000\",\"to\":\"AcmeInc\",\"network-code\":\"23410\",\"messageId\":\"" + messageId
                + "\",\"price\":\"0.03330000\",\"status\":\"" + status + "\",\"scts\":\"" + scts + "\",\"err-code\":\""
                + errCode + "\",\"api-key\":\"abcd1234\",\"message-timestamp\":\"2018-10-25 12:10:29\","
                + "\"client-ref\":\"order-42\"}";
    }

    Reply get(String query) {
        return hub.send(HttpRequest.newBuilder(hub.uri("/webhooks/vonage?" + query))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build());
    }

    Reply postJson(String json) {
        return hub.post("/webhooks/vonage?token=" + TOKEN, JSON, json);
    }

    Map<String, Object> onlyEvent(String messageId) {
        List<Map<String, Object>> rows = Sql.rows(
                database, "SELECT * FROM delivery_event WHERE provider = 'vonage' AND message_id = ?", messageId);
        assertThat(rows).as("events of " + messageId).hasSize(1);
        return rows.get(0);
    }

    long eventsFor(String messageId) {
        return Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = ?", messageId);
    }

    static JsonNode payload(Map<String, Object> row) throws Exception {
        return new ObjectMapper().readTree(row.get("payload").toString());
    }

    static Instant instant(Object column) {
        if (column instanceof OffsetDateTime time) {
            return time.toInstant();
        }
        if (column instanceof Timestamp time) {
            return time.toInstant();
        }
        throw new AssertionError("not a time: " + column);
    }

    /** The receipt as stored, whichever way it came: the same canonical fields and attributes. */
    void assertStoredDeliveredReceipt(String messageId, String eventId) throws Exception {
        Map<String, Object> row = onlyEvent(messageId);
        assertThat(row.get("event_id").toString()).isEqualTo(eventId);
        assertThat(row)
                .containsEntry("channel", "SMS")
                .containsEntry("status", "DELIVERED")
                .containsEntry("provider_status", "delivered");
        // err-code 0 is "no error": not an error code
        assertThat(row.get("error_code")).isNull();
        // scts 1810251310 is 2018-10-25 13:10 UTC
        assertThat(instant(row.get("occurred_at"))).isEqualTo(Instant.parse("2018-10-25T13:10:00Z"));

        JsonNode payload = payload(row);
        assertThat(Instant.parse(payload.get("occurred_at").asText())).isEqualTo(Instant.parse("2018-10-25T13:10:00Z"));
        JsonNode attributes = payload.get("attributes");
        assertThat(attributes.get("msisdn").asText()).isEqualTo("447700900000");
        assertThat(attributes.get("to").asText()).isEqualTo("AcmeInc");
        assertThat(attributes.get("network-code").asText()).isEqualTo("23410");
        assertThat(attributes.get("price").asText()).isEqualTo("0.03330000");
        assertThat(attributes.get("err-code").asText()).isEqualTo("0");
        assertThat(attributes.get("api-key").asText()).isEqualTo("abcd1234");
        assertThat(attributes.get("message-timestamp").asText()).isEqualTo("2018-10-25 12:10:29");
        assertThat(attributes.get("client-ref").asText()).isEqualTo("order-42");
        assertThat(attributes.has("token")).isFalse();
        assertThat(attributes.has("messageId")).isFalse();
        assertThat(attributes.has("status")).isFalse();
        assertThat(attributes.has("scts")).isFalse();
        assertThat(attributes.size()).isEqualTo(8);
        assertThat(payload.toString()).doesNotContain(TOKEN);

        assertThat(Sql.rows(
                        database,
                        "SELECT status, event_id FROM message_status WHERE provider = 'vonage' AND message_id = ?",
                        messageId))
                .singleElement()
                .satisfies(status -> {
                    assertThat(status).containsEntry("status", "DELIVERED");
                    assertThat(status.get("event_id").toString()).isEqualTo(eventId);
                });
    }

    @Test
    void aGetReceiptIsStoredAsACanonicalSmsEvent() throws Exception {
        Reply reply = get("token=" + TOKEN + "&" + receiptQuery("0B00000127FDBC63", "delivered", "0", "1810251310"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        assertStoredDeliveredReceipt("0B00000127FDBC63", reply.field("event_id"));
    }

    @Test
    void aPostJsonReceiptIsStoredTheSameWay() throws Exception {
        Reply reply = postJson(receiptJson("0B00000127FDBC64", "delivered", "0", "1810251310"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        assertStoredDeliveredReceipt("0B00000127FDBC64", reply.field("event_id"));
    }

    @Test
    void aPostFormReceiptIsStoredTheSameWay() throws Exception {
        Reply reply = hub.post(
                "/webhooks/vonage?token=" + TOKEN,
                FORM,
                receiptQuery("0B00000127FDBC65", "delivered", "0", "1810251310"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        assertStoredDeliveredReceipt("0B00000127FDBC65", reply.field("event_id"));
    }

    @Test
    void aFailedReceiptIsStoredAsFailedWithItsErrorCode() throws Exception {
        // err-code 6: anti-spam rejection
        Reply reply = get("token=" + TOKEN + "&" + receiptQuery("fail-1", "failed", "6", "1810251311"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        Map<String, Object> row = onlyEvent("fail-1");
        assertThat(row)
                .containsEntry("status", "FAILED")
                .containsEntry("provider_status", "failed")
                .containsEntry("error_code", "6");
        JsonNode attributes = payload(row).get("attributes");
        assertThat(attributes.has("err-code"))
                .as("err-code is error_code, not an attribute")
                .isFalse();
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'fail-1'"))
                .extracting(r -> r.get("status"))
                .containsExactly("FAILED");
    }

    @Test
    void everyDocumentedStatusMapsToItsCanonicalStatus() {
        Map<String, String> expected = Map.of(
                "delivered",
                "DELIVERED",
                "accepted",
                "SENT",
                "buffered",
                "SENT",
                "expired",
                "FAILED",
                "failed",
                "FAILED",
                "rejected",
                "FAILED",
                "unknown",
                "UNKNOWN");
        expected.forEach((word, canonical) -> {
            Reply reply = postJson(receiptJson("map-" + word, word, "0", "1810251310"));
            assertThat(reply.status()).as(word + ": " + reply).isEqualTo(200);
            assertThat(onlyEvent("map-" + word)).as(word).containsEntry("status", canonical);
        });
    }

    @Test
    void aLaterDeliveredReceiptRaisesAnAcceptedMessage() {
        assertThat(get("token=" + TOKEN + "&" + receiptQuery("raise-1", "accepted", "0", "1810251310"))
                        .status())
                .isEqualTo(200);
        assertThat(get("token=" + TOKEN + "&" + receiptQuery("raise-1", "delivered", "0", "1810251312"))
                        .status())
                .isEqualTo(200);

        assertThat(eventsFor("raise-1")).isEqualTo(2);
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'raise-1'"))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");
    }

    @Test
    void aGetWithoutMessageIdIsRefusedWith400NamingIt() {
        String withoutId =
                receiptQuery("gone-1", "delivered", "0", "1810251310").replace("&messageId=gone-1", "");
        assertThat(withoutId).doesNotContain("messageId");

        Reply reply = get("token=" + TOKEN + "&" + withoutId);

        assertError(reply, 400, "missing_field", "messageId");
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM delivery_event WHERE provider = 'vonage' AND payload LIKE ?",
                        "%gone-1%"))
                .isZero();
    }

    @Test
    void aReceiptWithABadSctsIsRefusedWith400NamingIt() {
        Reply iso = get("token=" + TOKEN + "&" + receiptQuery("scts-1", "delivered", "0", "2018-10-25T13%3A10%3A00Z"));
        Reply month13 = postJson(receiptJson("scts-1", "delivered", "0", "1813251310"));
        Reply shortValue = postJson(receiptJson("scts-1", "delivered", "0", "18102513"));

        for (Reply reply : List.of(iso, month13, shortValue)) {
            assertError(reply, 400, "invalid_field", "scts");
        }
        assertThat(eventsFor("scts-1")).isZero();
    }

    @Test
    void aPostInPlainTextIsRefusedWith415() {
        Reply reply = hub.post(
                "/webhooks/vonage?token=" + TOKEN, "text/plain", receiptJson("type-1", "delivered", "0", "1810251310"));

        assertError(reply, 415, "unsupported_media_type", "application/json");
        assertThat(eventsFor("type-1")).isZero();
    }

    @Test
    void aPutIsRefusedWith405() {
        Reply reply = hub.send(HttpRequest.newBuilder(hub.uri("/webhooks/vonage?token=" + TOKEN))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", JSON)
                .PUT(HttpRequest.BodyPublishers.ofString(receiptJson("put-1", "delivered", "0", "1810251310")))
                .build());

        assertError(reply, 405, "method_not_allowed", null);
        assertThat(eventsFor("put-1")).isZero();
    }

    @Test
    void aRepeatedReceiptIsAcknowledgedAsDuplicateOfTheFirst() {
        String query = "token=" + TOKEN + "&" + receiptQuery("dup-1", "delivered", "0", "1810251310");
        Reply first = get(query);
        Reply again = get(query);
        // the same receipt sent again by POST JSON is the same event too
        Reply asJson = postJson(receiptJson("dup-1", "delivered", "0", "1810251310"));

        assertThat(first.field("status")).isEqualTo("accepted");
        for (Reply reply : List.of(again, asJson)) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
            assertThat(reply.field("status")).isEqualTo("duplicate");
            assertThat(reply.field("event_id")).isEqualTo(first.field("event_id"));
        }
        assertThat(eventsFor("dup-1")).isEqualTo(1);
    }

    @Test
    void aReceiptWithoutOrWithAWrongTokenIsRefusedWith401AndNothingIsStored() {
        Reply noToken = get(receiptQuery("auth-1", "delivered", "0", "1810251310"));
        Reply wrongToken = get("token=guess&" + receiptQuery("auth-1", "delivered", "0", "1810251310"));
        Reply jsonNoToken = hub.post("/webhooks/vonage", JSON, receiptJson("auth-1", "delivered", "0", "1810251310"));

        for (Reply reply : List.of(noToken, wrongToken, jsonNoToken)) {
            assertError(reply, 401, "unauthorized", null);
            assertThat(reply.body()).doesNotContain(TOKEN).doesNotContain("guess");
        }
        assertThat(eventsFor("auth-1")).isZero();
    }

    static void assertError(Reply reply, int status, String code, String mentioned) {
        SmsbyWebhookContract.assertError(reply, status, code, mentioned);
    }
}
