package io.dlrhub.outbox;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A delivery taken over by another instance while this one was still sending it: this instance's
 * outcome is not recorded, and the operator sees it in the log (once) and in the metrics.
 */
class StaleSettleTest {

    @Test
    void anOutcomeThatComesAfterAnotherInstanceTookTheRowIsDiscardedLoggedAndCounted() throws Exception {
        TestDatabase database = TestDatabase.h2InMemory();
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch takenOver = new CountDownLatch(1);
        try (CapturedLog log = CapturedLog.attach();
                Receiver crm = Receiver.start((key, body) -> {
                    calling.countDown();
                    // answers only once the row belongs to someone else: the 200 comes "too late"
                    takenOver.await(30, TimeUnit.SECONDS);
                    return Receiver.Reply.ok();
                });
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "smsby.tokens",
                                "tok",
                                "crm.url",
                                crm.url(),
                                "crm.signing-secret",
                                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))) {
            assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=stale-1&status=DELIVERED")
                            .status())
                    .isEqualTo(200);
            assertThat(calling.await(30, TimeUnit.SECONDS)).isTrue();
            // what another instance's claim does once this one's lease ran out
            try (Connection connection = database.connect();
                    Statement statement = connection.createStatement()) {
                assertThat(statement.executeUpdate("UPDATE outbox SET claimed_by = 'other-instance',"
                                + " claim_version = claim_version + 1 WHERE sink = 'crm'"))
                        .isEqualTo(1);
            }
            takenOver.countDown();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !log.linesContaining("no longer claimed by this instance")
                            .isEmpty());
            assertThat(log.linesContaining("no longer claimed by this instance"))
                    .hasSize(1)
                    .first()
                    .asString()
                    .contains("1 of 1 deliveries to sink crm")
                    .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
            assertThat(Sql.rows(database, "SELECT state, claimed_by, attempts FROM outbox WHERE sink = 'crm'"))
                    .containsExactly(Map.of("state", "pending", "claimed_by", "other-instance", "attempts", 0));
            String metrics = hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                            .GET()
                            .build())
                    .body();
            assertThat(metrics).containsPattern("dlrhub_outbox_stale_settles_total\\{[^}]*sink=\"crm\"[^}]*\\} 1\\.0");
            assertThat(metrics)
                    .doesNotContainPattern("dlrhub_deliveries_total\\{[^}]*outcome=\"delivered\"[^}]*sink=\"crm\"");
        }
    }
}
