package io.dlrhub.reliability;

import io.dlrhub.reliability.LoadDriver.Route;
import io.dlrhub.reliability.Mailbox.Line;
import io.dlrhub.reliability.Mailbox.Mail;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The mail server is down for 30 s while FAILED webhooks keep arriving: webhooks are still accepted,
 * the alert digests wait in the outbox, and once the server is back every FAILED message id arrives
 * in a digest; none is lost and no mail lists an event twice.
 */
class SmtpOutageReliabilityIT {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    /** Three in four webhooks are failures, in several of sms.by's words; the rest DELIVERED. */
    static String status(String messageId) {
        return switch (Math.floorMod(messageId.hashCode(), 4)) {
            case 0 -> "DELIVERED";
            case 1 -> "NOT_DELIVERED";
            case 2 -> "EXPIRED";
            default -> "REJECTED";
        };
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void failedEventsWaitForTheMailServerAndAllArriveInDigests() {
        long began = System.nanoTime();
        TestDatabase database = TestDatabase.postgres();
        LoadDriver driver = new LoadDriver(SmtpOutageReliabilityIT::status);
        try (CrmStub crm = new CrmStub();
                Mailbox mailbox = new Mailbox();
                HubProcess hub = HubProcess.start(
                        "smtp-outage", Reliability.environment(database, crm.port(), mailbox.port()))) {

            LoadDriver.Load load = driver.start(
                    2, Duration.ofSeconds(90), Duration.ofMillis(100), "smtpout", seq -> Route.to(hub::smsbyUri));
            boolean mailBeforeOutage = Reliability.waitUntil(
                    Duration.ofSeconds(15),
                    Duration.ofMillis(250),
                    () -> !mailbox.mails().isEmpty());
            mailbox.stop();
            HubProcess.sleep(OUTAGE.toMillis());
            long pendingAlertsAtRestart = Reliability.outbox(database, "alert", "pending");
            long maxAttemptsDuringOutage = io.dlrhub.support.Sql.count(
                    database, "SELECT COALESCE(MAX(attempts), 0) FROM outbox WHERE sink = 'alert'");
            long upAt = System.nanoTime();
            mailbox.start();
            HubProcess.sleep(5000);
            load.stop();

            Set<String> failedIds = driver.ids().stream()
                    .filter(id -> Reliability.isFailure(status(id)))
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> deliveredIds = driver.ids().stream()
                    .filter(id -> !Reliability.isFailure(status(id)))
                    .collect(Collectors.toCollection(TreeSet::new));
            boolean allMailed = Reliability.waitUntil(
                    Duration.ofSeconds(100),
                    Duration.ofSeconds(1),
                    () -> mailbox.mails().stream()
                            .flatMap(m -> m.lines().stream())
                            .map(Line::messageId)
                            .collect(Collectors.toSet())
                            .containsAll(failedIds));
            long allMailedAfter = System.nanoTime() - upAt;
            boolean alertsDrained = Reliability.waitUntil(
                    Duration.ofSeconds(15),
                    Duration.ofMillis(500),
                    () -> Reliability.outbox(database, "alert", "pending") == 0);
            HubProcess.sleep(3000); // anything sent twice would arrive now

            List<Mail> mails = mailbox.mails();
            List<Line> lines = mails.stream().flatMap(m -> m.lines().stream()).toList();
            Set<String> mailedIds = lines.stream().map(Line::messageId).collect(Collectors.toCollection(TreeSet::new));
            Set<String> missing = new TreeSet<>(failedIds);
            missing.removeAll(mailedIds);
            Set<String> notFailed = new TreeSet<>(mailedIds);
            notFailed.retainAll(deliveredIds);
            long mailsListingAnEventTwice = mails.stream()
                    .filter(m ->
                            m.lines().stream().map(Line::eventId).distinct().count()
                                    != m.lines().size())
                    .count();
            Map<String, Integer> perEvent = new HashMap<>();
            lines.forEach(l -> perEvent.merge(l.eventId(), 1, Integer::sum));
            long eventsInSeveralMails =
                    perEvent.values().stream().filter(n -> n > 1).count();
            Map<String, String> events = Reliability.storedEvents(database);
            Set<String> unknownEvents = new TreeSet<>(perEvent.keySet());
            unknownEvents.removeAll(events.keySet());
            Set<String> notOk = driver.idsWhere(a -> !a.ok());
            int largest = mails.stream().mapToInt(m -> m.lines().size()).max().orElse(0);

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("ids_sent", driver.ids().size());
            summary.put("answers", driver.outcomes(a -> true));
            summary.put("failed_ids", failedIds.size());
            summary.put("alert_pending_when_smtp_back", pendingAlertsAtRestart);
            summary.put("alert_max_attempts_during_outage", maxAttemptsDuringOutage);
            summary.put("mails", mails.size());
            summary.put("largest_digest", largest);
            summary.put("mailed_lines", lines.size());
            summary.put("all_mailed_after_smtp_back", Reliability.seconds(allMailedAfter));
            summary.put("missing", missing.size());
            summary.put("mails_listing_an_event_twice", mailsListingAnEventTwice);
            summary.put("events_in_several_mails", eventsInSeveralMails);
            summary.put("non_failed_mailed", notFailed.size());
            summary.put("alert_pending", Reliability.outbox(database, "alert", "pending"));
            summary.put("outbox_dead", Reliability.outboxState(database, "dead"));
            summary.put("took", Reliability.seconds(System.nanoTime() - began));
            Reliability.summary("smtp-outage", summary);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(mailBeforeOutage)
                    .as("a digest arrived before the outage")
                    .isTrue();
            soft.assertThat(notOk)
                    .as("webhooks not answered 200 (ingest must not wait for the mail server)")
                    .isEmpty();
            soft.assertThat(pendingAlertsAtRestart)
                    .as("alerts waiting when the mail server came back")
                    .isPositive();
            soft.assertThat(allMailed)
                    .as("every FAILED message id mailed within 100 s")
                    .isTrue();
            soft.assertThat(missing).as("FAILED message ids never mailed").isEmpty();
            soft.assertThat(notFailed).as("mailed but not failed").isEmpty();
            soft.assertThat(unknownEvents)
                    .as("mailed event ids that are not stored")
                    .isEmpty();
            soft.assertThat(mailsListingAnEventTwice)
                    .as("mails that list an event twice")
                    .isZero();
            soft.assertThat(eventsInSeveralMails)
                    .as("events listed in more than one mail")
                    .isZero();
            soft.assertThat(alertsDrained).as("no alert left pending").isTrue();
            soft.assertThat(Reliability.outboxState(database, "dead"))
                    .as("dead deliveries")
                    .isZero();
            soft.assertAll();
        } finally {
            driver.close();
        }
    }
}
