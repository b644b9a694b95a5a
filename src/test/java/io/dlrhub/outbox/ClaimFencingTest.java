package io.dlrhub.outbox;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.dlrhub.support.TestSchemas;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may record a delivery's outcome: only the instance whose claim is the row's current one. The
 * rows are written by a real hub (hand-off off, first poll after an hour) and claimed through its
 * {@link OutboxStore}, as two instances would; a lease "runs out" by setting it in the past.
 */
class ClaimFencingTest {

    private static final Duration LEASE = Duration.ofMinutes(2);

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anInstanceWhoseLeaseRanOutCannotOverwriteTheInstanceThatTookTheRowOver(String db) throws Exception {
        withOneStoredDelivery(db, (database, store, hub) -> {
            List<OutboxRow> stale = store.claimDue("crm", 10, LEASE, "instance-a");
            assertThat(stale).hasSize(1);
            leasesRunOut(database);
            List<OutboxRow> live = store.claimDue("crm", 10, LEASE, "instance-b");
            assertThat(live).hasSize(1);

            // every outcome of instance-a is a no-op: nothing is returned, the row is untouched
            assertThat(store.markDead(stale, "instance-a", "HTTP 404 Not Found"))
                    .isEmpty();
            assertThat(store.reschedule(stale, "instance-a", Duration.ZERO, "HTTP 503"))
                    .isEmpty();
            assertThat(store.markDelivered(stale, "instance-a")).isEmpty();
            assertThat(store.renew(stale, "instance-a", LEASE)).isEmpty();
            assertThat(store.giveBack(stale, "instance-a")).isEmpty();
            assertThat(row(database))
                    .containsEntry("state", "pending")
                    .containsEntry("claimed_by", "instance-b")
                    .containsEntry("attempts", 0)
                    .containsEntry("last_error", null);
            // a third instance finds nothing to take: instance-b's claim is still live
            assertThat(store.claimDue("crm", 10, LEASE, "instance-c")).isEmpty();

            assertThat(store.markDelivered(live, "instance-b")).hasSize(1);
            // instance-a's late "dead" does not turn the delivered row dead (which would raise an alert)
            assertThat(store.markDead(stale, "instance-a", "HTTP 404 Not Found"))
                    .isEmpty();
            assertThat(row(database))
                    .containsEntry("state", "delivered")
                    .containsEntry("claimed_by", "instance-b")
                    .containsEntry("attempts", 1)
                    .containsEntry("last_error", null);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anOlderClaimOfTheSameInstanceIsStaleToo(String db) throws Exception {
        withOneStoredDelivery(db, (database, store, hub) -> {
            List<OutboxRow> older = store.claimDue("crm", 10, LEASE, "instance-a");
            leasesRunOut(database);
            List<OutboxRow> newer = store.claimDue("crm", 10, LEASE, "instance-a");
            assertThat(newer).hasSize(1);

            assertThat(store.markDead(older, "instance-a", "HTTP 404 Not Found"))
                    .isEmpty();
            assertThat(row(database)).containsEntry("state", "pending").containsEntry("attempts", 0);
            assertThat(store.reschedule(newer, "instance-a", Duration.ofMinutes(5), "HTTP 503 Service Unavailable"))
                    .hasSize(1);
            assertThat(row(database))
                    .containsEntry("state", "pending")
                    .containsEntry("attempts", 1)
                    .containsEntry("claimed_by", null)
                    .containsEntry("last_error", "HTTP 503 Service Unavailable");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRowIsSentOnlyWhileMoreThanHalfItsLeaseIsLeftAndNoRenewalFoundItTakenOver(String db) throws Exception {
        withOneStoredDelivery(db, (database, store, hub) -> {
            List<OutboxRow> rows = store.claimDue("crm", 10, LEASE, "instance-a");
            HeldClaims held = new HeldClaims(store, "instance-a", LEASE);
            assertThat(held.maySend(rows.get(0))).as("not held").isFalse();
            // claimed (by this JVM's clock) two thirds of a lease ago: less than half is left
            held.hold(rows, System.nanoTime() - LEASE.toNanos() * 2 / 3);
            assertThat(held.maySend(rows.get(0))).isFalse();
            held.renew();
            assertThat(held.maySend(rows.get(0)))
                    .as("renewed: a whole lease from now")
                    .isTrue();

            leasesRunOut(database);
            assertThat(store.claimDue("crm", 10, LEASE, "instance-b")).hasSize(1);
            held.renew();
            assertThat(held.maySend(rows.get(0))).as("taken over by instance-b").isFalse();
            assertThat(row(database)).containsEntry("claimed_by", "instance-b");
            held.drop(rows);
            assertThat(held.maySend(rows.get(0))).isFalse();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void leasesAndDueTimesFollowTheDatabaseClockNotTheJvms(String db) throws Exception {
        withOneStoredDelivery(db, (database, store, hub) -> {
            assertThat(store.claimDue("crm", 10, LEASE, "instance-a")).hasSize(1);
            // an instance whose clock is a day ahead must not see instance-a's lease as run out
            OutboxStore dayAhead =
                    new OutboxStore(hub.dataSource(), Clock.offset(Clock.systemUTC(), Duration.ofDays(1)));
            assertThat(dayAhead.claimDue("crm", 10, LEASE, "instance-ahead")).isEmpty();
            assertThat(Sql.count(
                            database,
                            "SELECT COUNT(*) FROM outbox WHERE lease_until > CURRENT_TIMESTAMP"
                                    + " AND lease_until < CURRENT_TIMESTAMP + INTERVAL '1' HOUR"))
                    .as("a two-minute lease")
                    .isEqualTo(1);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aDeliveryWhoseEventIsGoneIsDeadInsteadOfClaimedForEver(String db) throws Exception {
        withOneStoredDelivery(db, (database, store, hub) -> {
            try (Connection connection = database.connect();
                    Statement statement = connection.createStatement()) {
                statement.execute("DELETE FROM delivery_event");
            }
            try (CapturedLog log = CapturedLog.attach()) {
                assertThat(store.claimDue("crm", 10, LEASE, "instance-a")).isEmpty();
                assertThat(log.linesContaining("their event is not in delivery_event"))
                        .hasSize(1);
            }
            assertThat(row(database))
                    .containsEntry("state", "dead")
                    .containsEntry("last_error", "its event is not stored");
            leasesRunOut(database);
            assertThat(store.claimDue("crm", 10, LEASE, "instance-b")).isEmpty();
            assertThat(row(database)).containsEntry("state", "dead");
        });
    }

    @FunctionalInterface
    private interface StoreTest {
        void run(TestDatabase database, OutboxStore store, RunningHub hub) throws Exception;
    }

    /** A hub that stored one event for the CRM sink and leaves its delivery unclaimed for the test to claim. */
    private static void withOneStoredDelivery(String db, StoreTest test) throws Exception {
        TestDatabase database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        try (Receiver crm = Receiver.start((key, body) -> Receiver.Reply.ok());
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "smsby.tokens",
                                "tok",
                                "crm.url",
                                crm.url(),
                                "db.pool-size",
                                "3",
                                "outbox.poll-interval-ms",
                                "3600000"))) {
            OutboxStore store = hub.context().getRegistry().lookupByNameAndType("outboxStore", OutboxStore.class);
            store.handOffTo(null);
            assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=fence-1&status=DELIVERED")
                            .status())
                    .isEqualTo(200);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND claimed_by IS NULL"))
                    .isEqualTo(1);
            test.run(database, store, hub);
            assertThat(crm.callsPerKey())
                    .as("the test claimed the row, no dispatcher sent it")
                    .isEmpty();
        } finally {
            TestSchemas.drop(database);
        }
    }

    /**
     * A delivery made dead and the alert that tells about it are one transaction: before, the note was
     * written afterwards on its own, and a crash (or a failed insert) in between lost the alert.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aDeadDeliveryAndItsAlertAreWrittenTogetherOrNotAtAll(String db) throws Exception {
        withOneStoredDelivery(db, (database, store, hub) -> {
            List<OutboxRow> claimed = store.claimDue("crm", 10, LEASE, "instance-a");
            // an alert that cannot be written (sink name longer than the column): the row is not made dead either
            OutboxStore.DeadAlert broken = new OutboxStore.DeadAlert("a".repeat(100), Duration.ZERO, row -> "dead");
            try {
                store.markDead(claimed, "instance-a", "HTTP 404 Not Found", broken);
            } catch (RuntimeException expected) {
                // refused by the database, rolled back as a whole
            }
            assertThat(row(database)).containsEntry("state", "pending").containsEntry("attempts", 0);

            OutboxStore.DeadAlert alert =
                    new OutboxStore.DeadAlert("alert", Duration.ZERO, row -> "crm refused " + row.id());
            assertThat(store.markDead(claimed, "instance-a", "HTTP 404 Not Found", alert))
                    .hasSize(1);
            assertThat(row(database)).containsEntry("state", "dead");
            assertThat(Sql.rows(database, "SELECT note FROM outbox WHERE sink = 'alert'"))
                    .extracting(r -> r.get("note"))
                    .containsExactly("crm refused " + claimed.get(0).id());
        });
    }

    private static void leasesRunOut(TestDatabase database) throws Exception {
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("UPDATE outbox SET lease_until = CURRENT_TIMESTAMP - INTERVAL '1' SECOND"
                    + " WHERE lease_until IS NOT NULL");
        }
    }

    private static Map<String, Object> row(TestDatabase database) {
        return Sql.rows(database, "SELECT state, claimed_by, attempts, last_error FROM outbox WHERE sink = 'crm'")
                .get(0);
    }
}
