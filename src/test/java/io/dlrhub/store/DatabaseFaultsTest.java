package io.dlrhub.store;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database misbehaves without going away cleanly: every wait of the service must end, and
 * it must come back by itself. Short timeouts (each a documented setting) keep the test quick.
 */
class DatabaseFaultsTest {

    private static final Map<String, String> SHORT_WAITS = Map.of(
            "smsby.tokens", "tok",
            "db.pool-size", "3",
            "db.connect-timeout-ms", "1000",
            "db.commit-timeout-ms", "2000",
            "db.statement-timeout-ms", "2500",
            "db.lock-timeout-ms", "1000",
            "db.socket-timeout-ms", "3000");

    /**
     * The database host vanishes without a reset (a crash, a failover, a firewall that drops its
     * state) and is back some seconds later. Before socket timeouts the writer stayed blocked on
     * its read for good: every webhook got 503 while the database answered normally again.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSilentPartitionHealsWithoutARestart() throws Exception {
        TestDatabase real = TestDatabase.postgres();
        try (TcpProxy proxy = real.proxy()) {
            TestDatabase database = real.through(proxy);
            try (RunningHub hub = RunningHub.start(database, SHORT_WAITS)) {
                assertThat(post(hub, "before", "SENT").status()).isEqualTo(200);

                proxy.partition();
                Reply during = post(hub, "during", "SENT");
                assertThat(during.status()).as(during.toString()).isEqualTo(503);
                await().atMost(Duration.ofSeconds(30)).until(() -> ready(hub) == 503);

                proxy.heal();
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> post(hub, "after", "SENT").status() == 200);
                await().atMost(Duration.ofSeconds(30)).until(() -> ready(hub) == 200);
                assertThat(post(hub, "later", "SENT").status()).isEqualTo(200);
            }
            assertThat(Sql.rows(real, "SELECT message_id FROM delivery_event ORDER BY message_id"))
                    .extracting(r -> r.get("message_id"))
                    .contains("before", "after", "later");
        }
    }

    /**
     * Another session holds a row a webhook needs (an instance cut off mid-transaction, a DBA's
     * lock). Before lock timeouts it blocked the single writer, and every unrelated webhook got
     * 503 for as long as the lock lasted. Now only that webhook waits and gets 503; the others are
     * accepted while the lock is still held, and it is accepted once the lock is gone.
     */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aHeldLockDelaysOnlyTheWebhookThatNeedsTheRow() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        Map<String, String> settings = new HashMap<>(SHORT_WAITS);
        // the unrelated webhooks share a batch with the locked one: it waits out the 1 s lock timeout
        // and is stored again without it; 2 s of commit timeout left too little on a busy machine
        settings.put("db.commit-timeout-ms", "6000");
        settings.put("db.socket-timeout-ms", "7000");
        try (RunningHub hub = RunningHub.start(database, settings)) {
            assertThat(post(hub, "locked", "SENT").status()).isEqualTo(200);
            try (Connection dba = database.connect()) {
                dba.setAutoCommit(false);
                try (Statement lock = dba.createStatement()) {
                    lock.execute("SELECT * FROM message_status WHERE message_id = 'locked' FOR UPDATE");
                }
                CompletableFuture<Reply> needsTheRow =
                        CompletableFuture.supplyAsync(() -> post(hub, "locked", "DELIVERED"));
                List<CompletableFuture<Reply>> others = List.of("free-1", "free-2", "free-3").stream()
                        .map(id -> CompletableFuture.supplyAsync(() -> post(hub, id, "DELIVERED")))
                        .toList();
                for (CompletableFuture<Reply> other : others) {
                    Reply reply = other.get(30, TimeUnit.SECONDS);
                    assertThat(reply.status())
                            .as("an unrelated webhook while the lock is held: %s", reply)
                            .isEqualTo(200);
                    assertThat(reply.field("status")).isEqualTo("accepted");
                }
                Reply blocked = needsTheRow.get(30, TimeUnit.SECONDS);
                assertThat(blocked.status()).as(blocked.toString()).isEqualTo(503);
                assertThat(blocked.raw().headers().firstValue("Retry-After")).isPresent();
                dba.rollback();
            }
            // still ready (only that webhook waited), and readiness says where to look
            Reply ready = hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/health/ready"))
                    .GET()
                    .build());
            assertThat(ready.status()).isEqualTo(200);
            assertThat(ready.body()).contains("another database session held a row");
            assertThat(hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                                    .GET()
                                    .build())
                            .body())
                    .containsPattern("dlrhub_store_locked_rows_total(\\{[^}]*\\})? [1-9]");
            Reply retried = post(hub, "locked", "DELIVERED");
            assertThat(retried.field("status")).as(retried.toString()).isEqualTo("accepted");
        }
    }

    private static Reply post(RunningHub hub, String messageId, String status) {
        return hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=" + messageId + "&status=" + status);
    }

    private static int ready(RunningHub hub) {
        return hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/health/ready"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build())
                .status();
    }
}
