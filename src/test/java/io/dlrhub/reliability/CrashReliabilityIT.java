package io.dlrhub.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.reliability.LoadDriver.Route;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * kill -9 under load: the real jar takes steady webhook traffic (4 client threads), is killed with
 * SIGKILL in the middle of it and started again on the same PostgreSQL while the traffic goes on;
 * then every id that was not answered 200 is sent again, as sms.by would. Nothing acknowledged may
 * be lost, nothing may be stored twice, and every event must reach the CRM (at least once: after a
 * crash a delivery whose outcome was not recorded is made again; the number is reported).
 */
class CrashReliabilityIT {

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void killMinus9UnderLoadLosesNothingThatWasAcknowledged() {
        long began = System.nanoTime();
        TestDatabase database = TestDatabase.postgres();
        LoadDriver driver = new LoadDriver(Reliability::statusOf);
        try (CrmStub crm = new CrmStub(50);
                Mailbox mailbox = new Mailbox();
                HubProcess hub =
                        HubProcess.start("crash", Reliability.environment(database, crm.port(), mailbox.port()))) {

            // the CRM takes 50 ms per call, so the kill also finds deliveries in flight (claimed, not yet settled)
            // ~12 s of steady load; kill -9 after 5 s, and start again at once (as an orchestrator would)
            LoadDriver.Load load = driver.start(
                    4, Duration.ofSeconds(12), Duration.ofMillis(5), "crash", seq -> Route.to(hub::smsbyUri));
            HubProcess.sleep(5000);
            long killAt = System.nanoTime();
            hub.kill();
            Map<String, Long> storedAtCrash = Reliability.storedPerMessage(database);
            // deliveries the killed instance had claimed and not settled: only its lease running out frees them
            long claimedAtKill = Sql.count(
                    database,
                    "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND lease_until > CURRENT_TIMESTAMP");
            long pendingAtKill = Reliability.outboxState(database, "pending");
            long restartBegan = System.nanoTime();
            hub.start();
            long restartTook = System.nanoTime() - restartBegan;
            load.await();

            Set<String> okBeforeKill = driver.idsWhere(a -> a.ok() && a.answeredAt() < killAt);
            Set<String> inFlightAtKill = driver.idsWhere(a -> a.noAnswer() && a.sentAt() < killAt);
            Set<String> unansweredButCommitted = new TreeSet<>(inFlightAtKill);
            unansweredButCommitted.retainAll(storedAtCrash.keySet());
            Set<String> refusedWhileDown = driver.idsWhere(a -> a.noAnswer() && a.sentAt() >= killAt);
            Map<String, Long> firstRun = driver.outcomes(a -> !a.retry());

            Set<String> toRetry = driver.notAcknowledged();
            int retries = driver.retry(toRetry, hub::smsbyUri, 4, 5, Duration.ofSeconds(60));
            Set<String> stillNotAcknowledged = driver.notAcknowledged();

            boolean drained = Reliability.waitUntil(
                    Duration.ofSeconds(90),
                    Duration.ofSeconds(1),
                    () -> Reliability.outboxState(database, "pending") == 0);
            long drainedAt = System.nanoTime();

            Map<String, Long> stored = Reliability.storedPerMessage(database);
            Map<String, String> events = Reliability.storedEvents(database);
            Set<String> sent = new TreeSet<>(driver.ids());
            long storedTwice = stored.values().stream().filter(n -> n > 1).count();
            Set<String> neverStored = new TreeSet<>(sent);
            neverStored.removeAll(stored.keySet());
            Set<String> okButNotStoredAtCrash = new TreeSet<>(okBeforeKill);
            okButNotStoredAtCrash.removeAll(storedAtCrash.keySet());
            CrmStub.Tally crmTally = crm.tally();
            Set<String> missingAtCrm = new TreeSet<>(events.keySet());
            missingAtCrm.removeAll(crmTally.accepted().keySet());
            long dead = Reliability.outboxState(database, "dead");
            long pending = Reliability.outboxState(database, "pending");

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("ids_sent", sent.size());
            summary.put("first_run_answers", firstRun);
            summary.put("ok_before_kill", okBeforeKill.size());
            summary.put("in_flight_at_kill", inFlightAtKill.size());
            summary.put("of_which_committed", unansweredButCommitted.size());
            summary.put("refused_while_down", refusedWhileDown.size());
            summary.put("restart", Reliability.seconds(restartTook));
            summary.put("outbox_pending_at_kill", pendingAtKill);
            summary.put("claimed_unsettled_at_kill", claimedAtKill);
            summary.put("retried_ids", toRetry.size());
            summary.put("retry_posts", retries);
            summary.put("stored_events", events.size());
            summary.put("stored_twice", storedTwice);
            summary.put("never_stored", neverStored.size());
            summary.put("ok_lost_at_crash", okButNotStoredAtCrash.size());
            summary.put("crm_events", crmTally.events());
            summary.put("crm_missing", missingAtCrm.size());
            summary.put("crm_calls", crmTally.calls());
            summary.put("crm_duplicated_events", crmTally.duplicatedEvents());
            summary.put("crm_extra_calls", crmTally.extraCalls());
            summary.put("outbox_pending", pending);
            summary.put("outbox_dead", dead);
            summary.put("drain", Reliability.seconds(drainedAt - restartBegan - restartTook));
            summary.put("took", Reliability.seconds(System.nanoTime() - began));
            Reliability.summary("crash", summary);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(okBeforeKill)
                    .as("some webhooks were acknowledged before the kill")
                    .isNotEmpty();
            soft.assertThat(inFlightAtKill.size() + refusedWhileDown.size())
                    .as("the kill hit traffic")
                    .isPositive();
            soft.assertThat(okButNotStoredAtCrash)
                    .as("answered 200 before the kill but not in delivery_event")
                    .isEmpty();
            for (String id : okBeforeKill) {
                soft.assertThat(stored.get(id))
                        .as("rows in delivery_event for acknowledged %s", id)
                        .isEqualTo(1L);
            }
            soft.assertThat(stillNotAcknowledged)
                    .as("ids still not acknowledged after the retries")
                    .isEmpty();
            soft.assertThat(neverStored).as("ids never stored").isEmpty();
            soft.assertThat(storedTwice).as("message ids stored more than once").isZero();
            soft.assertThat(stored.keySet())
                    .as("nothing stored that was not sent")
                    .isSubsetOf(sent);
            soft.assertThat(drained).as("outbox drained (pending %d)", pending).isTrue();
            soft.assertThat(dead).as("dead deliveries").isZero();
            soft.assertThat(missingAtCrm)
                    .as("stored events the CRM never accepted")
                    .isEmpty();
            soft.assertThat(crmTally.withoutKey())
                    .as("CRM calls without Idempotency-Key")
                    .isZero();
            soft.assertAll();
            assertThat(hub.logLines("ERROR"))
                    .as("errors logged by the restarted instance")
                    .isEmpty();
        } finally {
            driver.close();
        }
    }
}
