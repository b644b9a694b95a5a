package io.dlrhub.reliability;

import io.dlrhub.reliability.LoadDriver.Attempt;
import io.dlrhub.reliability.LoadDriver.Route;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL goes away for 30 s under steady load (the real jar's DB_URL goes through a TCP proxy
 * that the test cuts): webhooks are answered 503 (never 200 for what is not stored, never 500),
 * readiness says 503; when the path is back, readiness and 200s return by themselves, and the
 * ids that got 503 are stored exactly once when sent again.
 */
class DatabaseOutageReliabilityIT {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void webhooksGet503WhileTheDatabaseIsCutAndServiceRecoversByItself() throws Exception {
        long began = System.nanoTime();
        TestDatabase real = TestDatabase.postgres();
        LoadDriver driver = new LoadDriver(Reliability::statusOf);
        try (TcpProxy proxy = real.proxy();
                CrmStub crm = new CrmStub();
                Mailbox mailbox = new Mailbox()) {
            TestDatabase database = real.through(proxy);
            try (HubProcess hub =
                    HubProcess.start("db-outage", Reliability.environment(database, crm.port(), mailbox.port()))) {

                LoadDriver.Load load = driver.start(
                        4, Duration.ofSeconds(110), Duration.ofMillis(10), "dbout", seq -> Route.to(hub::smsbyUri));
                HubProcess.sleep(5000);

                long cutAt = System.nanoTime();
                proxy.cut();
                List<Integer> readyDuringCut = new ArrayList<>();
                HubProcess.sleep(3000);
                while (System.nanoTime()
                        < cutAt + OUTAGE.toNanos() - Duration.ofSeconds(8).toNanos()) {
                    readyDuringCut.add(hub.ready());
                    HubProcess.sleep(3000);
                }
                long remaining = cutAt + OUTAGE.toNanos() - System.nanoTime();
                if (remaining > 0) {
                    HubProcess.sleep(TimeUnit.NANOSECONDS.toMillis(remaining));
                }

                long restoredAt = System.nanoTime();
                proxy.start();
                boolean readyAgain =
                        Reliability.waitUntil(Duration.ofSeconds(30), Duration.ofMillis(250), () -> hub.ready() == 200);
                long readyAfter = System.nanoTime() - restoredAt;
                boolean resumed = Reliability.waitUntil(
                        Duration.ofSeconds(30),
                        Duration.ofMillis(250),
                        () -> !driver.idsWhere(a -> a.ok() && a.sentAt() > restoredAt)
                                .isEmpty());
                long resumedAfter = System.nanoTime() - restoredAt;
                HubProcess.sleep(5000);
                load.stop();

                List<Attempt> duringCut = driver.allAttempts().stream()
                        .filter(a -> !a.retry() && a.sentAt() >= cutAt && a.answeredAt() <= restoredAt)
                        .toList();
                Map<String, Long> duringCutAnswers = new LinkedHashMap<>();
                duringCut.forEach(
                        a -> duringCutAnswers.merge(a.noAnswer() ? "none" : String.valueOf(a.status()), 1L, Long::sum));
                Map<String, Long> firstRun = driver.outcomes(a -> !a.retry());
                Set<String> unexpectedStatus =
                        driver.idsWhere(a -> !a.noAnswer() && a.status() != 200 && a.status() != 503);
                Set<String> ok = driver.idsWhere(Attempt::ok);
                Map<String, Long> storedBeforeRetry = Reliability.storedPerMessage(real);
                Set<String> okNotStored = new TreeSet<>(ok);
                okNotStored.removeAll(storedBeforeRetry.keySet());
                Set<String> refused = driver.idsWhere(a -> a.status() == 503);
                Set<String> refusedButStored = new TreeSet<>(refused);
                refusedButStored.retainAll(storedBeforeRetry.keySet());

                Set<String> toRetry = driver.notAcknowledged();
                int retries = driver.retry(toRetry, hub::smsbyUri, 4, 5, Duration.ofSeconds(60));
                Set<String> stillNotAcknowledged = driver.notAcknowledged();

                boolean drained = Reliability.waitUntil(
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(1),
                        () -> Reliability.outboxState(real, "pending") == 0);
                Map<String, Long> stored = Reliability.storedPerMessage(real);
                Map<String, String> events = Reliability.storedEvents(real);
                Set<String> sent = new TreeSet<>(driver.ids());
                Set<String> neverStored = new TreeSet<>(sent);
                neverStored.removeAll(stored.keySet());
                long storedTwice = stored.values().stream().filter(n -> n > 1).count();
                CrmStub.Tally crmTally = crm.tally();
                Set<String> missingAtCrm = new TreeSet<>(events.keySet());
                missingAtCrm.removeAll(crmTally.accepted().keySet());
                long dead = Reliability.outboxState(real, "dead");
                long pending = Reliability.outboxState(real, "pending");
                long answers500 = driver.allAttempts().stream()
                        .filter(a -> a.status() >= 500 && a.status() != 503)
                        .count();

                long[] latency503 = driver.allAttempts().stream()
                        .filter(x -> x.status() == 503)
                        .mapToLong(Attempt::millis)
                        .sorted()
                        .toArray();
                long answered503AfterRestore = driver.allAttempts().stream()
                        .filter(x -> x.status() == 503 && !x.retry() && x.answeredAt() > restoredAt)
                        .count();

                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("ids_sent", sent.size());
                summary.put("first_run_answers", firstRun);
                summary.put("during_cut", duringCutAnswers);
                summary.put("503_after_restore", answered503AfterRestore);
                summary.put(
                        "503_wait_ms_min/median/max",
                        latency503.length == 0
                                ? "-"
                                : latency503[0] + "/" + latency503[latency503.length / 2] + "/"
                                        + latency503[latency503.length - 1]);
                summary.put("ready_during_cut", readyDuringCut);
                summary.put("ready_again_after", Reliability.seconds(readyAfter));
                summary.put("first_200_after", Reliability.seconds(resumedAfter));
                summary.put("ok_not_stored", okNotStored.size());
                summary.put("answered_503_but_stored", refusedButStored.size());
                summary.put("retried_ids", toRetry.size());
                summary.put("retry_posts", retries);
                summary.put("stored_events", events.size());
                summary.put("stored_twice", storedTwice);
                summary.put("never_stored", neverStored.size());
                summary.put("crm_missing", missingAtCrm.size());
                summary.put("crm_duplicated_events", crmTally.duplicatedEvents());
                summary.put("outbox_pending", pending);
                summary.put("outbox_dead", dead);
                summary.put("took", Reliability.seconds(System.nanoTime() - began));
                Reliability.summary("db-outage", summary);

                SoftAssertions soft = new SoftAssertions();
                soft.assertThat(answers500).as("5xx other than 503").isZero();
                soft.assertThat(unexpectedStatus)
                        .as("ids answered neither 200 nor 503")
                        .isEmpty();
                soft.assertThat(duringCut)
                        .as("webhooks sent and answered during the cut")
                        .isNotEmpty();
                soft.assertThat(duringCut.stream()
                                .filter(a -> a.status() != 503)
                                .toList())
                        .as("during the cut: only 503 (no 200, no 500, no unanswered request)")
                        .isEmpty();
                soft.assertThat(readyDuringCut)
                        .as("readiness during the cut")
                        .isNotEmpty()
                        .containsOnly(503);
                soft.assertThat(readyAgain)
                        .as("ready again within 30 s of the restore (took %s)", Reliability.seconds(readyAfter))
                        .isTrue();
                soft.assertThat(resumed).as("200s resumed after the restore").isTrue();
                soft.assertThat(okNotStored).as("answered 200 but not stored").isEmpty();
                soft.assertThat(stillNotAcknowledged)
                        .as("ids not acknowledged after the retries")
                        .isEmpty();
                soft.assertThat(neverStored).as("ids never stored").isEmpty();
                soft.assertThat(storedTwice).as("message ids stored twice").isZero();
                soft.assertThat(drained)
                        .as("outbox drained (pending %d)", pending)
                        .isTrue();
                soft.assertThat(dead).as("dead deliveries").isZero();
                soft.assertThat(missingAtCrm)
                        .as("stored events the CRM never accepted")
                        .isEmpty();
                soft.assertAll();
            }
        } finally {
            driver.close();
        }
    }
}
