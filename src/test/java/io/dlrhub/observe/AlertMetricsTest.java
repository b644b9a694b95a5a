package io.dlrhub.observe;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.dlrhub.support.TestSchemas;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metrics operators alert on, read through the real /observe/metrics: delivery latency per
 * sink (a histogram) and the age of each sink's oldest pending delivery.
 */
class AlertMetricsTest {

    private static final String OLDEST_CRM =
            "dlrhub_outbox_oldest_pending_age_seconds{application=\"dlr-hub\",sink=\"crm\"}";

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void latencyPerSinkIsAHistogramAndTheOldestPendingAgeGrowsWithTheBacklog(String db) throws Exception {
        TestDatabase database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        try (Receiver crm = Receiver.start((key, body) -> body.contains("\"message_id\":\"later\"")
                        ? new Receiver.Reply(503, Map.of("Retry-After", "3600"))
                        : Receiver.Reply.ok());
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "smsby.tokens",
                                "tok",
                                "crm.url",
                                crm.url(),
                                "db.pool-size",
                                "3",
                                "metrics.database-refresh-ms",
                                "0"))) {
            assertThat(value(metrics(hub), OLDEST_CRM)).as("nothing pending").isZero();

            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=now&status=DELIVERED");
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=later&status=DELIVERED");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE attempts = 0") == 0);
            // the refused one has waited ten minutes
            try (Connection connection = database.connect();
                    Statement statement = connection.createStatement()) {
                statement.executeUpdate(
                        "UPDATE outbox SET created_at = created_at - INTERVAL '600' SECOND WHERE state = 'pending'");
            }

            String metrics = metrics(hub);
            assertThat(metrics)
                    .contains("# TYPE dlrhub_delivery_latency_seconds histogram")
                    .contains("dlrhub_delivery_latency_seconds_count{application=\"dlr-hub\",sink=\"crm\"} 1")
                    .contains(
                            "dlrhub_delivery_latency_seconds_bucket{application=\"dlr-hub\",sink=\"crm\",le=\"+Inf\"} 1")
                    .contains("dlrhub_outbox_rows{application=\"dlr-hub\",sink=\"crm\",state=\"pending\"} 1.0");
            assertThat(metrics.lines()
                            .filter(l -> l.startsWith(
                                    "dlrhub_delivery_latency_seconds_bucket{application=\"dlr-hub\",sink=\"crm\""))
                            .count())
                    .as("a percentile histogram's buckets")
                    .isGreaterThan(20);
            assertThat(value(metrics, OLDEST_CRM)).isBetween(600.0, 3600.0);
            // a sink with nothing pending has a series too, at 0 (an alert rule sees it)
            assertThat(value(
                            metrics,
                            "dlrhub_outbox_oldest_pending_age_seconds{application=\"dlr-hub\",sink=\"alert\"}"))
                    .isZero();
        } finally {
            TestSchemas.drop(database);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void theDatabaseIsAskedOncePerRefreshIntervalHoweverOftenItIsScraped(String db) throws Exception {
        TestDatabase database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        try (Receiver crm = Receiver.start((key, body) -> new Receiver.Reply(503, Map.of("Retry-After", "3600")));
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "smsby.tokens",
                                "tok",
                                "crm.url",
                                crm.url(),
                                "db.pool-size",
                                "3",
                                "metrics.database-refresh-ms",
                                "3600000"))) {
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=cached&status=DELIVERED");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE attempts = 0") == 0);
            assertThat(value(metrics(hub), OLDEST_CRM)).isLessThan(7200.0);
            try (Connection connection = database.connect();
                    Statement statement = connection.createStatement()) {
                statement.executeUpdate("UPDATE outbox SET created_at = created_at - INTERVAL '7200' SECOND");
            }
            String second = metrics(hub);
            // read from what the first scrape fetched, not from the database again
            assertThat(value(second, OLDEST_CRM)).isLessThan(7200.0);
            assertThat(second)
                    .contains("dlrhub_outbox_rows{application=\"dlr-hub\",sink=\"crm\",state=\"pending\"} 1.0");
        } finally {
            TestSchemas.drop(database);
        }
    }

    private static String metrics(RunningHub hub) {
        RunningHub.Reply reply = hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                .GET()
                .build());
        assertThat(reply.status()).isEqualTo(200);
        return reply.body();
    }

    private static double value(String metrics, String series) {
        Matcher line =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
        assertThat(line.find()).as("%s in%n%s", series, metrics).isTrue();
        return Double.parseDouble(line.group(1));
    }
}
