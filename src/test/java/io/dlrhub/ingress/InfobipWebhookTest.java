package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Infobip SMS delivery reports end to end: one POST may carry several reports under "results";
 * each becomes its own event in the database the running service committed to.
 */
class InfobipWebhookTest {

    static final String TOKEN = "infobip-token-one";
    static final String JSON = "application/json";

    static final String DELIVERED_TO_HANDSET =
            "{\"groupId\":3,\"groupName\":\"DELIVERED\",\"id\":5,\"name\":\"DELIVERED_TO_HANDSET\","
                    + "\"description\":\"Message delivered to handset\"}";
    static final String DELIVERED_TO_OPERATOR =
            "{\"groupId\":3,\"groupName\":\"DELIVERED\",\"id\":2,\"name\":\"DELIVERED_TO_OPERATOR\","
                    + "\"description\":\"Message delivered to operator\"}";
    static final String PENDING_ENROUTE =
            "{\"groupId\":1,\"groupName\":\"PENDING\",\"id\":7,\"name\":\"PENDING_ENROUTE\","
                    + "\"description\":\"Message sent to next instance\"}";
    static final String UNDELIVERABLE_NOT_DELIVERED =
            "{\"groupId\":2,\"groupName\":\"UNDELIVERABLE\",\"id\":9,\"name\":\"UNDELIVERABLE_NOT_DELIVERED\","
                    + "\"description\":\"Message sent not delivered\"}";
    static final String NO_ERROR =
            "{\"groupId\":0,\"groupName\":\"OK\",\"id\":0,\"name\":\"NO_ERROR\",\"description\":\"No Error\","
                    + "\"permanent\":false}";
    static final String ABSENT_SUBSCRIBER =
            "{\"groupId\":1,\"groupName\":\"HANDSET_ERRORS\",\"id\":27,\"name\":\"EC_ABSENT_SUBSCRIBER\","
                    + "\"description\":\"Absent Subscriber\",\"permanent\":false}";

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory).with("infobip.tokens", TOKEN);

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    /** One report as Infobip documents it. */
    static String report(String messageId, String status, String error, String doneAt) {
        return "{\"bulkId\":\"BULK-" + messageId + "\",\"messageId\":\"" + messageId + "\",\"to\":\"41793026727\","
                + "\"sentAt\":\"2019-11-09T16:00:00.000+0000\",\"doneAt\":\"" + doneAt + "\",\"smsCount\":1,"
                + "\"mccMnc\":\"22801\",\"callbackData\":\"order-42\","
                + "\"price\":{\"pricePerMessage\":0.01,\"currency\":\"EUR\"},"
                + "\"status\":" + status + ",\"error\":" + error + "}";
    }

    static String results(String... reports) {
        return "{\"results\":[" + String.join(",", reports) + "]}";
    }

    Reply infobip(String body) {
        return hub.post("/webhooks/infobip?token=" + TOKEN, JSON, body);
    }

    long eventsFor(String messageId) {
        return Sql.count(
                database,
                "SELECT COUNT(*) FROM delivery_event WHERE provider = 'infobip' AND message_id = ?",
                messageId);
    }

    long eventsLike(String pattern) {
        return Sql.count(
                database,
                "SELECT COUNT(*) FROM delivery_event WHERE provider = 'infobip' AND message_id LIKE ?",
                pattern);
    }

    Map<String, Object> onlyEvent(String messageId) {
        List<Map<String, Object>> rows = Sql.rows(
                database, "SELECT * FROM delivery_event WHERE provider = 'infobip' AND message_id = ?", messageId);
        assertThat(rows).as("events of " + messageId).hasSize(1);
        return rows.get(0);
    }

    String messageStatus(String messageId) {
        List<Map<String, Object>> rows = Sql.rows(
                database, "SELECT status FROM message_status WHERE provider = 'infobip' AND message_id = ?", messageId);
        assertThat(rows).hasSize(1);
        return rows.get(0).get("status").toString();
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

    @Test
    void oneRequestWithThreeReportsStoresThreeEvents() throws Exception {
        Reply reply = infobip(results(
                report("three-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"),
                report("three-2", PENDING_ENROUTE, NO_ERROR, "2019-11-09T16:01:00.000+0100"),
                report("three-3", UNDELIVERABLE_NOT_DELIVERED, ABSENT_SUBSCRIBER, "2019-11-09T16:02:30.250+0000")));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        JsonNode events = reply.json().get("events");
        assertThat(events).hasSize(3);
        for (JsonNode event : events) {
            assertThat(event.get("status").asText()).isEqualTo("accepted");
        }
        assertThat(reply.field("event_id"))
                .isEqualTo(events.get(0).get("event_id").asText());

        Map<String, Object> delivered = onlyEvent("three-1");
        assertThat(delivered.get("event_id").toString())
                .isEqualTo(events.get(0).get("event_id").asText());
        assertThat(delivered)
                .containsEntry("channel", "SMS")
                .containsEntry("status", "DELIVERED")
                .containsEntry("provider_status", "DELIVERED_TO_HANDSET");
        assertThat(delivered.get("error_code")).as("NO_ERROR is no error").isNull();
        assertThat(instant(delivered.get("occurred_at"))).isEqualTo(Instant.parse("2019-11-09T16:00:00Z"));

        Map<String, Object> pending = onlyEvent("three-2");
        assertThat(pending.get("event_id").toString())
                .isEqualTo(events.get(1).get("event_id").asText());
        assertThat(pending)
                .containsEntry("channel", "SMS")
                .containsEntry("status", "SENT")
                .containsEntry("provider_status", "PENDING_ENROUTE");
        assertThat(pending.get("error_code")).isNull();
        // +0100 is honoured: 16:01 in UTC+1 is 15:01 UTC
        assertThat(instant(pending.get("occurred_at"))).isEqualTo(Instant.parse("2019-11-09T15:01:00Z"));

        Map<String, Object> failed = onlyEvent("three-3");
        assertThat(failed.get("event_id").toString())
                .isEqualTo(events.get(2).get("event_id").asText());
        assertThat(failed)
                .containsEntry("channel", "SMS")
                .containsEntry("status", "FAILED")
                .containsEntry("provider_status", "UNDELIVERABLE_NOT_DELIVERED")
                .containsEntry("error_code", "EC_ABSENT_SUBSCRIBER");
        assertThat(instant(failed.get("occurred_at"))).isEqualTo(Instant.parse("2019-11-09T16:02:30.250Z"));

        // everything else of a report is kept, nested objects as JSON
        JsonNode attributes =
                new ObjectMapper().readTree(failed.get("payload").toString()).get("attributes");
        assertThat(attributes.get("bulkId").asText()).isEqualTo("BULK-three-3");
        assertThat(attributes.get("to").asText()).isEqualTo("41793026727");
        assertThat(attributes.get("sentAt").asText()).isEqualTo("2019-11-09T16:00:00.000+0000");
        assertThat(attributes.get("smsCount").asText()).isEqualTo("1");
        assertThat(attributes.get("mccMnc").asText()).isEqualTo("22801");
        assertThat(attributes.get("callbackData").asText()).isEqualTo("order-42");
        JsonNode price = new ObjectMapper().readTree(attributes.get("price").asText());
        assertThat(price.get("currency").asText()).isEqualTo("EUR");
        JsonNode error = new ObjectMapper().readTree(attributes.get("error").asText());
        assertThat(error.get("id").asInt()).isEqualTo(27);
        assertThat(attributes.has("messageId")).isFalse();
        assertThat(attributes.has("doneAt")).isFalse();

        assertThat(messageStatus("three-1")).isEqualTo("DELIVERED");
        assertThat(messageStatus("three-2")).isEqualTo("SENT");
        assertThat(messageStatus("three-3")).isEqualTo("FAILED");
    }

    @Test
    void deliveredToOperatorThenToHandsetEndsDeliveredWithTwoEvents() {
        Reply operator =
                infobip(results(report("op-1", DELIVERED_TO_OPERATOR, NO_ERROR, "2019-11-09T16:00:00.000+0000")));
        assertThat(operator.status()).as(operator.toString()).isEqualTo(200);
        assertThat(messageStatus("op-1"))
                .as("reaching the operator is not delivery")
                .isEqualTo("SENT");

        Reply handset =
                infobip(results(report("op-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:05:00.000+0000")));
        assertThat(handset.status()).as(handset.toString()).isEqualTo(200);
        assertThat(handset.field("status")).isEqualTo("accepted");

        assertThat(eventsFor("op-1")).isEqualTo(2);
        assertThat(messageStatus("op-1")).isEqualTo("DELIVERED");
        assertThat(Sql.rows(
                        database,
                        "SELECT provider_status, status FROM delivery_event WHERE message_id = 'op-1'"
                                + " ORDER BY occurred_at"))
                .extracting(r -> r.get("provider_status") + "=" + r.get("status"))
                .containsExactly("DELIVERED_TO_OPERATOR=SENT", "DELIVERED_TO_HANDSET=DELIVERED");
    }

    @Test
    void theSameRequestAgainIsADuplicateAndStoresNothingNew() {
        String body = results(
                report("again-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"),
                report("again-2", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"));
        Reply first = infobip(body);
        Reply again = infobip(body);

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.field("status")).isEqualTo("accepted");
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.field("status")).isEqualTo("duplicate");
        assertThat(again.field("event_id")).isEqualTo(first.field("event_id"));
        JsonNode events = again.json().get("events");
        assertThat(events).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(events.get(i).get("status").asText()).isEqualTo("duplicate");
            assertThat(events.get(i).get("event_id").asText())
                    .isEqualTo(first.json().get("events").get(i).get("event_id").asText());
        }
        assertThat(eventsLike("again-%")).isEqualTo(2);
    }

    @Test
    void aReportWithoutMessageIdIsRefusedWith400ButTheOtherReportsOfTheRequestAreStored() {
        String withoutId = report("partial-x", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000")
                .replace("\"messageId\":\"partial-x\",", "");
        assertThat(withoutId).doesNotContain("messageId");

        Reply reply = infobip(results(
                report("partial-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"),
                withoutId,
                report("partial-3", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000")));

        assertError(reply, 400, "missing_field", "messageId");
        // the split does not stop at the bad report: the reports before AND after it are stored,
        // so that Infobip's resend of the request finds them as duplicates and loses none
        assertThat(eventsFor("partial-1")).isEqualTo(1);
        assertThat(eventsFor("partial-3")).isEqualTo(1);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE payload LIKE ?", "%BULK-partial-x%"))
                .isZero();

        // the resend: the valid reports are duplicates, the bad one is still refused
        Reply resend = infobip(results(
                report("partial-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"),
                withoutId,
                report("partial-3", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000")));
        assertError(resend, 400, "missing_field", "messageId");
        assertThat(eventsLike("partial-%")).isEqualTo(2);
    }

    @Test
    void aReportWithoutStatusNameIsRefusedWith400NamingIt() {
        String noStatus = report(
                "nostatus-1",
                "{\"groupId\":3,\"groupName\":\"DELIVERED\",\"id\":5}",
                NO_ERROR,
                "2019-11-09T16:00:00.000+0000");
        assertError(infobip(results(noStatus)), 400, "missing_field", "status.name");
        assertThat(eventsFor("nostatus-1")).isZero();
    }

    @Test
    void aReportWithABadDoneAtIsRefusedWith400NamingIt() {
        assertError(
                infobip(results(report("done-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09 16:00:00"))),
                400,
                "invalid_field",
                "doneAt");
        assertThat(eventsFor("done-1")).isZero();
    }

    @Test
    void aReportWithoutAnErrorObjectIsStoredWithoutErrorCode() {
        String noError = report("noerr-1", PENDING_ENROUTE, NO_ERROR, "2019-11-09T16:00:00.000+0000")
                .replace(",\"error\":" + NO_ERROR, "");
        assertThat(noError).doesNotContain("error");

        Reply reply = infobip(results(noError));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(onlyEvent("noerr-1")).containsEntry("status", "SENT").containsEntry("error_code", null);
    }

    @Test
    void aReportThatIsNotAnObjectIsRefusedWith400() {
        assertError(infobip("{\"results\":[\"notAReport\"]}"), 400, "invalid_body", null);
        assertError(infobip("{\"results\":\"notAList\"}"), 400, "invalid_body", null);
    }

    @Test
    void anEmptyResultsListIsRefusedWith400() {
        assertError(infobip("{\"results\":[]}"), 400, null, "results");
        assertError(infobip("{}"), 400, null, "results");
        assertError(infobip("{\"results\":null}"), 400, null, "results");
        assertError(infobip("{\"results\":\"x\"}"), 400, null, "results");
    }

    @Test
    void aBodyThatIsNotJsonIsRefusedWith400() {
        Reply notJson = infobip("results=none");
        Reply truncated = infobip("{\"results\":[{\"messageId\":\"trunc-1\"");
        Reply array =
                infobip("[" + report("trunc-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000") + "]");

        for (Reply reply : List.of(notJson, truncated, array)) {
            assertError(reply, 400, "invalid_body", "JSON");
        }
        assertThat(eventsFor("trunc-1")).isZero();
    }

    @Test
    void aWrongOrMissingTokenIsRefusedWith401AndNothingIsStored() {
        String body = results(report("auth-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"));
        Reply wrong = hub.post("/webhooks/infobip?token=guess", JSON, body);
        Reply wrongHeader = hub.post("/webhooks/infobip", JSON, body, "X-Webhook-Token", "guess");
        Reply missing = hub.post("/webhooks/infobip", JSON, body);

        for (Reply reply : List.of(wrong, wrongHeader, missing)) {
            assertError(reply, 401, "unauthorized", null);
            assertThat(reply.body()).doesNotContain(TOKEN).doesNotContain("guess");
        }
        assertThat(eventsFor("auth-1")).isZero();
    }

    @Test
    void theTokenIsAcceptedInTheHeaderToo() {
        Reply reply = hub.post(
                "/webhooks/infobip",
                JSON,
                results(report("header-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000")),
                "X-Webhook-Token",
                TOKEN);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(eventsFor("header-1")).isEqualTo(1);
    }

    @Test
    void httpBasicCredentialsAreAcceptedWhenConfigured() {
        TestDatabase basicDatabase = TestDatabase.h2InMemory();
        try (RunningHub basicHub = RunningHub.start(
                basicDatabase, Map.of("infobip.basic-user", "infobip", "infobip.basic-password", "s3cret-pass"))) {
            String body = results(report("basic-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000"));
            Reply good =
                    basicHub.post("/webhooks/infobip", JSON, body, "Authorization", basic("infobip", "s3cret-pass"));
            Reply bad = basicHub.post(
                    "/webhooks/infobip",
                    JSON,
                    results(report("basic-2", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000")),
                    "Authorization",
                    basic("infobip", "wrong"));
            Reply none = basicHub.post(
                    "/webhooks/infobip",
                    JSON,
                    results(report("basic-2", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000")));

            assertThat(good.status()).as(good.toString()).isEqualTo(200);
            assertThat(good.field("status")).isEqualTo("accepted");
            assertError(bad, 401, "unauthorized", null);
            assertError(none, 401, "unauthorized", null);
            assertThat(Sql.count(basicDatabase, "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'basic-1'"))
                    .isEqualTo(1);
            assertThat(Sql.count(basicDatabase, "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'basic-2'"))
                    .isZero();
        }
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static void assertError(Reply reply, int status, String code, String mentioned) {
        SmsbyWebhookContract.assertError(reply, status, code, mentioned);
    }
}
