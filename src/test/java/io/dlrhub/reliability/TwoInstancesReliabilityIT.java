package io.dlrhub.reliability;

import io.dlrhub.reliability.LoadDriver.Attempt;
import io.dlrhub.reliability.LoadDriver.Route;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two instances of the real jar on one PostgreSQL, no balancer: the client alternates between them
 * for 20 s, and sends some ids to both (A then B, or both at the same moment, as a provider's retry
 * may overlap its first try). Each id is stored once, both answers name the same event, and each
 * event reaches the CRM exactly once although both dispatchers share the outbox.
 */
class TwoInstancesReliabilityIT {

    private static final Pattern EVENT_ID = Pattern.compile("\"event_id\"\\s*:\\s*\"([^\"]+)\"");

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void twoInstancesOnOneDatabaseStoreOnceAndDeliverOnce() {
        long began = System.nanoTime();
        TestDatabase database = TestDatabase.postgres();
        LoadDriver driver = new LoadDriver(Reliability::statusOf);
        try (CrmStub crm = new CrmStub(5);
                Mailbox mailbox = new Mailbox();
                HubProcess a =
                        HubProcess.start("two-a", Reliability.environment(database, crm.port(), mailbox.port()));
                HubProcess b =
                        HubProcess.start("two-b", Reliability.environment(database, crm.port(), mailbox.port()))) {

            Supplier<java.net.URI> toA = a::smsbyUri;
            Supplier<java.net.URI> toB = b::smsbyUri;
            LoadDriver.Load load = driver.start(4, Duration.ofSeconds(20), Duration.ofMillis(10), "two", seq -> {
                if (seq % 10 == 3) {
                    return new Route(List.of(toA, toB), true); // both at the same moment
                }
                if (seq % 5 == 0) {
                    return new Route(List.of(toA, toB), false); // A, then B
                }
                return Route.to(seq % 2 == 0 ? toA : toB);
            });
            load.await();

            boolean drained = Reliability.waitUntil(
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(1),
                    () -> Reliability.outboxState(database, "pending") == 0);

            Set<String> sent = new TreeSet<>(driver.ids());
            Set<String> notOk = driver.idsWhere(x -> !x.ok());
            Set<String> toBoth = new TreeSet<>();
            Set<String> pairsNotOneAccepted = new TreeSet<>();
            Set<String> pairsWithTwoEventIds = new TreeSet<>();
            for (String id : sent) {
                List<Attempt> tries = driver.attempts(id);
                if (tries.size() < 2) {
                    continue;
                }
                toBoth.add(id);
                long accepted =
                        tries.stream().filter(t -> t.ok() && !t.duplicate()).count();
                long duplicate = tries.stream().filter(Attempt::duplicate).count();
                if (accepted != 1 || duplicate != tries.size() - 1) {
                    pairsNotOneAccepted.add(id
                            + tries.stream()
                                    .map(t -> t.status() + " " + t.body())
                                    .toList());
                }
                if (tries.stream().map(t -> eventId(t.body())).distinct().count() != 1) {
                    pairsWithTwoEventIds.add(id);
                }
            }
            Map<String, Long> stored = Reliability.storedPerMessage(database);
            Map<String, String> events = Reliability.storedEvents(database);
            Set<String> neverStored = new TreeSet<>(sent);
            neverStored.removeAll(stored.keySet());
            long storedTwice = stored.values().stream().filter(n -> n > 1).count();
            CrmStub.Tally crmTally = crm.tally();
            Set<String> missingAtCrm = new TreeSet<>(events.keySet());
            missingAtCrm.removeAll(crmTally.accepted().keySet());
            Map<String, Long> storedBy = new LinkedHashMap<>();
            long viaA = driver.allAttempts().stream()
                    .filter(t -> t.target().getPort() == a.httpPort() && t.ok())
                    .count();
            long viaB = driver.allAttempts().stream()
                    .filter(t -> t.target().getPort() == b.httpPort() && t.ok())
                    .count();
            for (Map<String, Object> row : Sql.rows(
                    database,
                    "SELECT claimed_by, COUNT(*) AS n FROM outbox WHERE state = 'delivered' GROUP BY claimed_by")) {
                storedBy.put(String.valueOf(row.get("claimed_by")), ((Number) row.get("n")).longValue());
            }

            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("ids_sent", sent.size());
            summary.put("answers", driver.outcomes(x -> true));
            summary.put("ok_via_a", viaA);
            summary.put("ok_via_b", viaB);
            summary.put("ids_sent_to_both", toBoth.size());
            summary.put("pairs_not_one_accepted", pairsNotOneAccepted.size());
            summary.put("pairs_with_two_event_ids", pairsWithTwoEventIds.size());
            summary.put("stored_events", events.size());
            summary.put("stored_twice", storedTwice);
            summary.put("never_stored", neverStored.size());
            summary.put("crm_events", crmTally.events());
            summary.put("crm_missing", missingAtCrm.size());
            summary.put("crm_calls", crmTally.calls());
            summary.put("crm_duplicated_events", crmTally.duplicatedEvents());
            summary.put("deliveries_per_dispatcher", storedBy.values());
            summary.put("outbox_dead", Reliability.outboxState(database, "dead"));
            summary.put("took", Reliability.seconds(System.nanoTime() - began));
            Reliability.summary("two-instances", summary);

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(notOk).as("ids with an answer other than 200").isEmpty();
            soft.assertThat(toBoth).as("ids sent to both instances").isNotEmpty();
            soft.assertThat(pairsNotOneAccepted)
                    .as("ids sent to both: exactly one 'accepted', the rest 'duplicate'")
                    .isEmpty();
            soft.assertThat(pairsWithTwoEventIds)
                    .as("ids sent to both answered with different event ids")
                    .isEmpty();
            soft.assertThat(neverStored).as("ids never stored").isEmpty();
            soft.assertThat(storedTwice).as("message ids stored more than once").isZero();
            soft.assertThat(drained).as("outbox drained").isTrue();
            soft.assertThat(missingAtCrm)
                    .as("stored events the CRM never accepted")
                    .isEmpty();
            soft.assertThat(crmTally.duplicatedEvents())
                    .as("events the CRM accepted more than once")
                    .isZero();
            soft.assertThat(storedBy.keySet()).as("both dispatchers delivered").hasSizeGreaterThanOrEqualTo(2);
            soft.assertThat(Reliability.outboxState(database, "dead"))
                    .as("dead deliveries")
                    .isZero();
            soft.assertAll();
        } finally {
            driver.close();
        }
    }

    private static String eventId(String body) {
        if (body == null) {
            return null;
        }
        Matcher m = EVENT_ID.matcher(body);
        return m.find() ? m.group(1) : null;
    }
}
