package io.dlrhub.ingress;

import static io.dlrhub.ingress.InfobipWebhookTest.DELIVERED_TO_HANDSET;
import static io.dlrhub.ingress.InfobipWebhookTest.DELIVERED_TO_OPERATOR;
import static io.dlrhub.ingress.InfobipWebhookTest.NO_ERROR;
import static io.dlrhub.ingress.InfobipWebhookTest.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Big Infobip requests (issue 20): 1,000 reports in one POST are committed in one transaction,
 * answered with 1,000 events and forwarded to the CRM like any other event. Through the real HTTP
 * endpoint, on H2 and on PostgreSQL (subclasses).
 */
abstract class InfobipBatchContract {

    static final String TOKEN = "infobip-batch-token";
    static final int REPORTS = 1_000;

    abstract HubExtension shared();

    /** The subclass's CRM: takes every event, counted per Idempotency-Key (the event id). */
    abstract Receiver crm();

    /** A 1,000-report request is ~480 KB: far over the 64 KiB default of MAX_BODY_BYTES. */
    static HubExtension hubOn(Supplier<TestDatabase> database, Receiver crm) {
        return HubExtension.on(database)
                .with(Map.of("infobip.tokens", TOKEN, "max-body-bytes", "1000000", "crm.url", crm.url()));
    }

    final TestDatabase database = shared().database();
    final RunningHub hub = shared().hub();

    Reply infobip(String body) {
        return hub.post("/webhooks/infobip?token=" + TOKEN, "application/json", body);
    }

    /** A request of {@code count} reports, the i-th made by {@code report}. */
    static String request(int count, IntFunction<String> report) {
        return InfobipWebhookTest.results(
                IntStream.range(0, count).mapToObj(report).toArray(String[]::new));
    }

    /** Report i of a batch: message {@code <batch>-<i>}, delivered. */
    static String delivered(String batch, int i) {
        return report(id(batch, i), DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000");
    }

    static String id(String batch, int i) {
        return String.format("%s-%04d", batch, i);
    }

    long stored(String batch) {
        return Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id LIKE ?", batch + "-%");
    }

    List<String> storedIds(String batch) {
        return Sql.rows(
                        database,
                        "SELECT event_id FROM delivery_event WHERE message_id LIKE ? ORDER BY message_id",
                        batch + "-%")
                .stream()
                .map(row -> row.get("event_id").toString())
                .toList();
    }

    static List<String> eventIds(Reply reply) {
        List<String> ids = new ArrayList<>();
        reply.json()
                .get("events")
                .forEach(event -> ids.add(event.get("event_id").asText()));
        return ids;
    }

    static List<String> statuses(Reply reply) {
        List<String> statuses = new ArrayList<>();
        reply.json()
                .get("events")
                .forEach(event -> statuses.add(event.get("status").asText()));
        return statuses;
    }

    /** How many transactions committed the batch's events; null where the database cannot tell (H2). */
    abstract Long transactionsOf(String batch);

    /** Makes the database fail (as a full disk would) when it writes the event of this message id. */
    abstract void failOnInsertOf(String messageId) throws SQLException;

    abstract void stopFailing() throws SQLException;

    void execute(String sql) throws SQLException {
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }
    }

    @Test
    void aThousandReportsAreStoredTogetherAnsweredOneByOneAndForwarded() {
        Reply reply = infobip(request(REPORTS, i -> delivered("big", i)));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        JsonNode events = reply.json().get("events");
        assertThat(events).hasSize(REPORTS);
        assertThat(statuses(reply)).containsOnly("accepted");
        // in the order of the reports: the i-th event is the i-th report's (ordered by message id)
        assertThat(eventIds(reply)).containsExactlyElementsOf(storedIds("big"));
        assertThat(reply.field("event_id")).isEqualTo(eventIds(reply).get(0));
        assertThat(stored("big")).isEqualTo(REPORTS);
        Long transactions = transactionsOf("big");
        if (transactions != null) {
            assertThat(transactions)
                    .as("transactions that committed the request's events")
                    .isEqualTo(1);
        }

        // each one has its outbox row and reaches the CRM like any other event
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id"
                                + " WHERE o.sink = 'crm' AND e.message_id LIKE 'big-%'"))
                .isEqualTo(REPORTS);
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(crm().callsPerKey())
                        .containsKeys(eventIds(reply).toArray(String[]::new)));
    }

    @Test
    void aDatabaseFailureAtTheFiveHundredthReportStoresNoneOfThemAndAnswers503() throws SQLException {
        String body = request(REPORTS, i -> delivered("halfway", i));
        failOnInsertOf(id("halfway", 499));
        Reply failed;
        try {
            failed = infobip(body);
        } finally {
            stopFailing();
        }

        assertThat(failed.status()).as(failed.body()).isEqualTo(503);
        assertThat(failed.field("error")).isEqualTo("unavailable");
        // committed one by one, the 499 reports before it (and the 500 after) would be stored
        assertThat(stored("halfway")).as("events stored by the failed request").isZero();
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM outbox o LEFT JOIN delivery_event e"
                                + " ON e.event_id = o.event_id WHERE e.event_id IS NULL"))
                .as("outbox rows without their event")
                .isZero();

        // Infobip resends: now all of them are stored, once
        Reply resent = infobip(body);
        assertThat(resent.status()).as(resent.body()).isEqualTo(200);
        assertThat(statuses(resent)).hasSize(REPORTS).containsOnly("accepted");
        assertThat(stored("halfway")).isEqualTo(REPORTS);
    }

    @Test
    void aMalformedReportAmongAThousandIsA400AndTheOthersAreStored() {
        String body = request(
                REPORTS,
                i -> i == 437
                        ? delivered("bad", i).replaceFirst("\"messageId\":\"[^\"]+\",", "")
                        : delivered("bad", i));

        Reply reply = infobip(body);

        InfobipWebhookTest.assertError(reply, 400, "missing_field", "messageId");
        assertThat(stored("bad")).isEqualTo(REPORTS - 1);
        Long transactions = transactionsOf("bad");
        if (transactions != null) {
            assertThat(transactions).isEqualTo(1);
        }
        // the resend: the valid ones are duplicates, the bad one is refused again, nothing is stored twice
        Reply resent = infobip(body);
        InfobipWebhookTest.assertError(resent, 400, "missing_field", "messageId");
        assertThat(stored("bad")).isEqualTo(REPORTS - 1);
    }

    @Test
    void aResendOfAThousandReportsIsAnsweredDuplicateAndStoresNothingTwice() {
        String body = request(REPORTS, i -> delivered("again", i));
        Reply first = infobip(body);
        assertThat(first.status()).as(first.body()).isEqualTo(200);

        Reply again = infobip(body);

        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.field("status")).isEqualTo("duplicate");
        assertThat(statuses(again)).hasSize(REPORTS).containsOnly("duplicate");
        assertThat(eventIds(again)).containsExactlyElementsOf(eventIds(first));
        assertThat(stored("again")).isEqualTo(REPORTS);
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM outbox o JOIN delivery_event e ON e.event_id = o.event_id"
                                + " WHERE e.message_id LIKE 'again-%'"))
                .isEqualTo(REPORTS);
    }

    /**
     * A report repeated within one request is a duplicate of its first copy, as it is across
     * requests: answered "duplicate" with the first one's event id, stored once. Another status
     * of the same message is an event of its own, and the message keeps the higher one.
     */
    @Test
    void aReportRepeatedWithinTheRequestIsADuplicateOfItsFirstCopy() {
        String operator = report("twice-1", DELIVERED_TO_OPERATOR, NO_ERROR, "2019-11-09T16:00:00.000+0000");
        String handset = report("twice-1", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:01:00.000+0000");
        String other = report("twice-2", DELIVERED_TO_HANDSET, NO_ERROR, "2019-11-09T16:00:00.000+0000");

        Reply reply = infobip(InfobipWebhookTest.results(operator, other, operator, handset, other));

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        assertThat(statuses(reply)).containsExactly("accepted", "accepted", "duplicate", "accepted", "duplicate");
        List<String> ids = eventIds(reply);
        assertThat(ids.get(2)).isEqualTo(ids.get(0));
        assertThat(ids.get(4)).isEqualTo(ids.get(1));
        assertThat(ids.get(3)).isNotEqualTo(ids.get(0));
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id LIKE 'twice-%'"))
                .isEqualTo(3);
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'twice-1'"))
                .extracting(row -> row.get("status"))
                .containsExactly("DELIVERED");
    }
}
