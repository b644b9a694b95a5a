package io.dlrhub.reliability;

import io.dlrhub.reliability.LoadDriver.Route;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The CRM answers 503 for 60 s while webhooks keep coming (some FAILED, so alerts flow too): ingest
 * is not affected, the CRM backlog (outbox rows pending, read with SQL) grows, and when the CRM is
 * back it drains completely; every event reaches the CRM exactly once (no crash here, so no repeat).
 */
class CrmOutageReliabilityIT {

    private static final Duration OUTAGE = Duration.ofSeconds(60);

    record Sample(long at, long pending) {}

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void backlogGrowsWhileTheCrmIsDownAndDrainsCompletelyWhenItIsBack() throws Exception {
        long began = System.nanoTime();
        TestDatabase database = TestDatabase.postgres();
        LoadDriver driver = new LoadDriver(Reliability::statusOf);
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        try (CrmStub crm = new CrmStub();
                Mailbox mailbox = new Mailbox();
                HubProcess hub =
                        HubProcess.start("crm-outage", Reliability.environment(database, crm.port(), mailbox.port()))) {

            // the backlog, once a second, for at most 200 s
            Thread sampler = new Thread(
                    () -> {
                        for (int i = 0; i < 200 && sampling.get(); i++) {
                            try {
                                long pending = Reliability.outbox(database, "crm", "pending");
                                synchronized (samples) {
                                    samples.add(new Sample(System.nanoTime(), pending));
                                }
                            } catch (RuntimeException ignored) {
                                // next second
                            }
                            HubProcess.sleep(1000);
                        }
                    },
                    "backlog-sampler");
            sampler.setDaemon(true);
            sampler.start();

            LoadDriver.Load load = driver.start(
                    2, Duration.ofSeconds(100), Duration.ofMillis(150), "crmout", seq -> Route.to(hub::smsbyUri));
            HubProcess.sleep(5000);
            long failAt = System.nanoTime();
            crm.fail();
            HubProcess.sleep(OUTAGE.toMillis());
            long recoverAt = System.nanoTime();
            long backlogAtRecovery = Reliability.outbox(database, "crm", "pending");
            crm.recover();
            HubProcess.sleep(5000);
            load.stop();
            long loadStoppedAt = System.nanoTime();

            boolean drained = Reliability.waitUntil(
                    Duration.ofSeconds(60),
                    Duration.ofMillis(500),
                    () -> Reliability.outbox(database, "crm", "pending") == 0);
            long drainedAt = System.nanoTime();
            boolean alertsDrained = Reliability.waitUntil(
                    Duration.ofSeconds(30),
                    Duration.ofMillis(500),
                    () -> Reliability.outboxState(database, "pending") == 0);
            sampling.set(false);
            sampler.join(5000);

            List<Sample> all;
            synchronized (samples) {
                all = List.copyOf(samples);
            }
            long backlogAtFail = all.stream()
                    .filter(s -> s.at() <= failAt)
                    .mapToLong(Sample::pending)
                    .reduce((a, b) -> b)
                    .orElse(0);
            long backlogMax = all.stream()
                    .filter(s -> s.at() >= failAt && s.at() <= recoverAt + 2_000_000_000L)
                    .mapToLong(Sample::pending)
                    .max()
                    .orElse(0);
            long acceptedDuringOutage = driver.allAttempts().stream()
                    .filter(a -> a.ok() && a.sentAt() >= failAt && a.answeredAt() <= recoverAt)
                    .count();
            Map<String, Long> answers = driver.outcomes(a -> true);
            Set<String> notOk = driver.idsWhere(a -> !a.ok());
            Map<String, Long> stored = Reliability.storedPerMessage(database);
            Map<String, String> events = Reliability.storedEvents(database);
            Set<String> sent = new TreeSet<>(driver.ids());
            Set<String> neverStored = new TreeSet<>(sent);
            neverStored.removeAll(stored.keySet());
            CrmStub.Tally crmTally = crm.tally();
            Set<String> missingAtCrm = new TreeSet<>(events.keySet());
            missingAtCrm.removeAll(crmTally.accepted().keySet());
            long dead = Reliability.outboxState(database, "dead");
            long alertsDelivered = Reliability.outbox(database, "alert", "delivered");
            long failedEvents = events.values().stream()
                    .filter(id -> Reliability.isFailure(Reliability.statusOf(id)))
                    .count();

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("ids_sent", sent.size());
            summary.put("answers", answers);
            summary.put("accepted_during_outage", acceptedDuringOutage);
            summary.put("backlog_at_outage_start", backlogAtFail);
            summary.put("backlog_max", backlogMax);
            summary.put("backlog_at_recovery", backlogAtRecovery);
            summary.put("drained_after_recovery", Reliability.seconds(drainedAt - recoverAt));
            summary.put("drained_after_last_webhook", Reliability.seconds(drainedAt - loadStoppedAt));
            summary.put("stored_events", events.size());
            summary.put("crm_events", crmTally.events());
            summary.put("crm_missing", missingAtCrm.size());
            summary.put("crm_calls", crmTally.calls());
            summary.put("crm_refused_calls", crmTally.refused());
            summary.put("crm_duplicated_events", crmTally.duplicatedEvents());
            summary.put("failed_events", failedEvents);
            summary.put("alert_rows_delivered", alertsDelivered);
            summary.put("outbox_dead", dead);
            summary.put("took", Reliability.seconds(System.nanoTime() - began));
            Reliability.summary("crm-outage", summary);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(notOk)
                    .as("webhooks not answered 200 (ingest must not depend on the CRM)")
                    .isEmpty();
            soft.assertThat(neverStored).as("ids never stored").isEmpty();
            soft.assertThat(stored.values()).as("rows per message id").containsOnly(1L);
            soft.assertThat(acceptedDuringOutage)
                    .as("webhooks accepted during the outage")
                    .isGreaterThan(100);
            soft.assertThat(backlogMax)
                    .as("backlog grew during the outage (from %d)", backlogAtFail)
                    .isGreaterThan(backlogAtFail)
                    .isGreaterThanOrEqualTo(acceptedDuringOutage * 9 / 10);
            soft.assertThat(drained).as("CRM backlog drained within 60 s").isTrue();
            soft.assertThat(alertsDrained).as("whole outbox drained").isTrue();
            soft.assertThat(dead).as("dead deliveries").isZero();
            soft.assertThat(missingAtCrm)
                    .as("stored events the CRM never accepted")
                    .isEmpty();
            soft.assertThat(crmTally.duplicatedEvents())
                    .as("events the CRM accepted more than once")
                    .isZero();
            soft.assertThat(crmTally.refused())
                    .as("the CRM refused calls during the outage")
                    .isPositive();
            soft.assertThat(alertsDelivered)
                    .as("alert rows delivered (one per FAILED event)")
                    .isEqualTo(failedEvents);
            soft.assertAll();
        } finally {
            sampling.set(false);
            driver.close();
        }
    }
}
