package io.dlrhub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.CanonicalStatus;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several webhooks committed in one transaction behave exactly as if each had its own. */
class EventStoreBatchTest {

    HikariDataSource dataSource;
    TestDatabase database;

    EventStore store(String db, AtomicInteger hookCalls) {
        return store(db, hookCalls, () -> {});
    }

    /** {@code insideTransaction} runs in every commit, before it commits. */
    EventStore store(String db, AtomicInteger hookCalls, Runnable insideTransaction) {
        database = "postgres".equals(db) ? TestDatabase.postgres() : TestDatabase.h2InMemory();
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(database.url());
        dataSource.setUsername(database.user());
        dataSource.setPassword(database.password());
        dataSource.setAutoCommit(false);
        Database.migrate(dataSource);
        return new EventStore(dataSource, (connection, fresh, payloads) -> {
            hookCalls.addAndGet(fresh.size());
            insideTransaction.run();
            return () -> {};
        });
    }

    @AfterEach
    void close() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    static CanonicalEvent event(String messageId, CanonicalStatus status, String word) {
        return new CanonicalEvent(
                UUID.randomUUID(),
                "smsby",
                "SMS",
                messageId,
                status,
                word,
                null,
                null,
                OffsetDateTime.now(ZoneOffset.UTC),
                Map.of(),
                "SMS\u001f" + messageId + "\u001f" + word);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBatchStoresEachEventOnceAndTheMessageKeepsItsHighestStatus(String db) {
        AtomicInteger hook = new AtomicInteger();
        EventStore store = store(db, hook);
        CanonicalEvent sent = event("b-1", CanonicalStatus.SENT, "SENT");
        CanonicalEvent delivered = event("b-1", CanonicalStatus.DELIVERED, "DELIVERED");
        CanonicalEvent sentAgain = event("b-1", CanonicalStatus.SENT, "SENT");
        CanonicalEvent other = event("b-2", CanonicalStatus.FAILED, "EXPIRED");

        List<StoreResult> results = store.storeAll(List.of(delivered, sent, sentAgain, other));

        assertThat(results).extracting(StoreResult::duplicate).containsExactly(false, false, true, false);
        assertThat(results.get(2).eventId()).isEqualTo(sent.eventId());
        assertThat(hook.get()).isEqualTo(3);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event")).isEqualTo(3);
        assertThat(Sql.rows(database, "SELECT message_id, status FROM message_status ORDER BY message_id"))
                .extracting(r -> r.get("message_id") + "=" + r.get("status"))
                .containsExactly("b-1=DELIVERED", "b-2=FAILED");

        List<StoreResult> later = store.storeAll(
                List.of(event("b-1", CanonicalStatus.SENT, "SENT"), event("b-1", CanonicalStatus.READ, "READ")));
        assertThat(later).extracting(StoreResult::duplicate).containsExactly(true, false);
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'b-1'"))
                .extracting(r -> r.get("status"))
                .containsExactly("READ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void groupCommitUnderConcurrencyStoresEachEventOnceAndAnswersEachCaller(String db) throws Exception {
        AtomicInteger hook = new AtomicInteger();
        GroupCommit commit = new GroupCommit(store(db, hook), 2, 50, Duration.ofSeconds(30), 10_000);
        commit.start();
        ExecutorService callers = Executors.newFixedThreadPool(32);
        try {
            List<Future<StoreResult>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                // every message twice with the same word (a repeat) and once with a higher status
                String id = "g-" + (i % 100);
                CanonicalEvent event = i < 200
                        ? event(id, CanonicalStatus.SENT, "SENT")
                        : i < 300
                                ? event(id, CanonicalStatus.DELIVERED, "DELIVERED")
                                : event(id, CanonicalStatus.SENT, "SENT");
                results.add(callers.submit(() -> commit.store(event)));
            }
            long fresh = 0;
            for (Future<StoreResult> result : results) {
                fresh += result.get().duplicate() ? 0 : 1;
            }
            assertThat(fresh).isEqualTo(200);
            assertThat(hook.get()).isEqualTo(200);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event"))
                    .isEqualTo(200);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM message_status WHERE status = 'DELIVERED'"))
                    .isEqualTo(100);
        } finally {
            callers.shutdownNow();
            commit.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void oneEventTheDatabaseRefusesDoesNotFailTheOthersOfItsBatch(String db) throws Exception {
        GroupCommit commit = new GroupCommit(store(db, new AtomicInteger()), 1, 50, Duration.ofSeconds(30), 10_000);
        commit.start();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                // a provider name longer than the column: the database refuses this one
                CanonicalEvent event = i == 7
                        ? new CanonicalEvent(
                                UUID.randomUUID(),
                                "p".repeat(100),
                                "SMS",
                                "bad",
                                CanonicalStatus.SENT,
                                "SENT",
                                null,
                                null,
                                OffsetDateTime.now(ZoneOffset.UTC),
                                Map.of(),
                                "k")
                        : event("ok-" + i, CanonicalStatus.SENT, "SENT");
                results.add(callers.submit(() -> commit.store(event)));
            }
            int failed = 0;
            for (Future<?> result : results) {
                try {
                    result.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(io.dlrhub.event.InvalidEventException.class);
                    failed++;
                }
            }
            assertThat(failed).isEqualTo(1);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event"))
                    .isEqualTo(19);
        } finally {
            callers.shutdownNow();
            commit.stop();
        }
    }

    /** A request's events (Infobip: one per report) are one unit: one transaction, however many. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRequestsEventsAreOneTransactionEvenBeyondTheBatchSize(String db) throws Exception {
        AtomicInteger transactions = new AtomicInteger();
        GroupCommit commit = new GroupCommit(
                store(db, new AtomicInteger(), transactions::incrementAndGet), 1, 50, Duration.ofSeconds(30), 10_000);
        commit.start();
        try {
            List<CanonicalEvent> request = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                request.add(event("unit-" + i, CanonicalStatus.DELIVERED, "DELIVERED"));
            }
            request.add(event("unit-3", CanonicalStatus.DELIVERED, "DELIVERED"));

            List<StoreResult> results = commit.storeAll(request);

            assertThat(transactions.get()).isEqualTo(1);
            assertThat(results).hasSize(121);
            assertThat(results.subList(0, 120)).noneMatch(StoreResult::duplicate);
            // repeated within the request: a duplicate of its first copy, as it would be in the next request
            assertThat(results.get(120))
                    .isEqualTo(new StoreResult(request.get(3).eventId(), true));
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event"))
                    .isEqualTo(120);
        } finally {
            commit.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anEventTheDatabaseRefusesFailsItsRequestButTheRequestsOtherEventsAreStored(String db) {
        GroupCommit commit = new GroupCommit(store(db, new AtomicInteger()), 1, 50, Duration.ofSeconds(30), 10_000);
        commit.start();
        try {
            // a provider name longer than the column: the database refuses this one
            CanonicalEvent unstorable = new CanonicalEvent(
                    UUID.randomUUID(),
                    "p".repeat(100),
                    "SMS",
                    "bad",
                    CanonicalStatus.SENT,
                    "SENT",
                    null,
                    null,
                    OffsetDateTime.now(ZoneOffset.UTC),
                    Map.of(),
                    "k");
            List<CanonicalEvent> request = List.of(
                    event("part-1", CanonicalStatus.SENT, "SENT"),
                    unstorable,
                    event("part-2", CanonicalStatus.SENT, "SENT"));

            assertThatThrownBy(() -> commit.storeAll(request))
                    .isInstanceOf(io.dlrhub.event.InvalidEventException.class);

            assertThat(Sql.rows(database, "SELECT message_id FROM delivery_event ORDER BY message_id"))
                    .extracting(r -> r.get("message_id"))
                    .containsExactly("part-1", "part-2");
        } finally {
            commit.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aCallerWhoseCommitTakesTooLongIsRefusedAndAnEventStillQueuedIsNotWritten(String db) throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        GroupCommit commit = stuckUntil(stuck, db, Duration.ofMillis(300), 10_000);
        commit.start();
        try {
            CompletableFuture<StoreResult> writing = commit.submit(event("slow-1", CanonicalStatus.SENT, "SENT"));
            CompletableFuture<StoreResult> queued = commit.submit(event("slow-2", CanonicalStatus.SENT, "SENT"));
            for (CompletableFuture<StoreResult> answer : List.of(writing, queued)) {
                assertThatThrownBy(answer::join)
                        .hasCauseInstanceOf(StoreUnavailableException.class)
                        .hasMessageContaining("did not commit in time");
            }
            stuck.countDown();
            // the one already being written may still commit (a retry is then answered duplicate);
            // the one nobody waits for any more is never written
            assertThat(commit.store(event("after", CanonicalStatus.SENT, "SENT"))
                            .duplicate())
                    .isFalse();
            assertThat(Sql.rows(database, "SELECT message_id FROM delivery_event ORDER BY message_id"))
                    .extracting(r -> r.get("message_id"))
                    .doesNotContain("slow-2")
                    .contains("after");
        } finally {
            stuck.countDown();
            commit.stop();
        }
    }

    @Test
    void aStalledDatabaseShedsLoadWith503AndAnsweredCallersLeaveTheQueue() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        GroupCommit commit = stuckUntil(stuck, "h2", Duration.ofMillis(500), 2);
        commit.start();
        try {
            CompletableFuture<StoreResult> writing = commit.submit(event("stall-1", CanonicalStatus.SENT, "SENT"));
            // the writer has taken stall-1 and hangs in its transaction: the next two fill the queue
            await().until(() -> commit.longestTransaction().toMillis() > 0);
            List<CompletableFuture<StoreResult>> queued = List.of(
                    commit.submit(event("stall-2", CanonicalStatus.SENT, "SENT")),
                    commit.submit(event("stall-3", CanonicalStatus.SENT, "SENT")));

            CompletableFuture<StoreResult> shed = commit.submit(event("stall-4", CanonicalStatus.SENT, "SENT"));
            assertThat(shed).isCompletedExceptionally();
            assertThatThrownBy(shed::join)
                    .hasCauseInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("2 events are already waiting");

            // answered 503 when their time is up, they hold no place any more: new webhooks queue again
            for (CompletableFuture<StoreResult> answer : queued) {
                assertThatThrownBy(answer::join).hasMessageContaining("did not commit in time");
            }
            CompletableFuture<StoreResult> next = commit.submit(event("stall-5", CanonicalStatus.SENT, "SENT"));
            assertThat(next).isNotCompletedExceptionally();
            stuck.countDown();
            assertThat(next.join().duplicate()).isFalse();
            assertThatThrownBy(writing::join).hasMessageContaining("did not commit in time");
        } finally {
            stuck.countDown();
            commit.stop();
        }
    }

    /** One writer, one event per transaction, each transaction hanging inside until {@code stuck} opens. */
    private GroupCommit stuckUntil(CountDownLatch stuck, String db, Duration commitTimeout, int maxQueued) {
        return new GroupCommit(
                store(db, new AtomicInteger(), () -> {
                    try {
                        stuck.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }),
                1,
                1,
                commitTimeout,
                maxQueued);
    }
}
