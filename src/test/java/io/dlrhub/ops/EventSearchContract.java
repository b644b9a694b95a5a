package io.dlrhub.ops;

import static io.dlrhub.ops.Fixtures.ADMIN;
import static io.dlrhub.ops.Fixtures.eventIds;
import static io.dlrhub.ops.Fixtures.messageIds;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * GET /api/events and GET /api/events/{event_id} on a real database, with rows written straight
 * into the tables so that received_at ties, ranges and delivery states are exactly what each
 * assertion needs. Run on H2 and on PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EventSearchContract {

    static final OffsetDateTime T0 = OffsetDateTime.of(2026, 3, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    private TestDatabase database;
    private RunningHub hub;
    private Fixtures fixtures;
    /** Seven events of one moment: pages must split them without losing or repeating one. */
    private final List<UUID> tied = new ArrayList<>();

    private UUID deadCrm;
    private UUID viber;
    private long deadCrmDelivery;

    /** The subclass's hub: the same settings on its database. */
    abstract HubExtension shared();

    static HubExtension hubOn(Supplier<TestDatabase> database) {
        // retention off: the events of March 2026 are older than its window
        return HubExtension.on(database).with(Map.of("admin.token", ADMIN, "db.pool-size", "3", "retention.days", "0"));
    }

    @BeforeAll
    void writeEvents() {
        database = shared().database();
        hub = shared().hub();
        fixtures = new Fixtures(database);
        for (int i = 0; i < 7; i++) {
            tied.add(fixtures.event("smsby", "SMS", "tie-" + i, "SENT", T0));
        }
        viber = fixtures.event("smsby", "VIBER", "2892295", "DELIVERED", T0.minusHours(1));
        fixtures.event("smsby", "VIBER", "2892295", "SENT", T0.minusHours(2));
        fixtures.event("twilio", "SMS", "SM2892295", "FAILED", T0.minusHours(3));
        // LIKE's wildcards in message ids: a prefix matches them literally
        fixtures.event("vonage", "SMS", "a%b_1", "DELIVERED", T0.minusHours(4));
        fixtures.event("vonage", "SMS", "a%bX1", "DELIVERED", T0.minusHours(4));
        fixtures.event("vonage", "SMS", "aXbX1", "DELIVERED", T0.minusHours(4));
        fixtures.event("vonage", "SMS", "a_b", "DELIVERED", T0.minusHours(4));
        fixtures.event("vonage", "SMS", "aXb", "DELIVERED", T0.minusHours(4));
        fixtures.event("vonage", "SMS", "a\\b", "DELIVERED", T0.minusHours(4));
        deadCrm = fixtures.event("infobip", "SMS", "ib-1", "FAILED", T0.minusDays(1));
        deadCrmDelivery = fixtures.delivery(deadCrm, "crm", "dead", T0.minusDays(1));
        fixtures.delivery(deadCrm, "alert", "delivered", T0.minusDays(1));
        fixtures.delivery(viber, "crm", "delivered", T0.minusHours(1));
        // a sink with no route: nothing delivers it, it stays pending
        fixtures.delivery(tied.get(3), "ledger", "pending", T0);
        // dead to the archive, between the times the range tests use: three of one moment, one
        // dead to two sinks (listed once when no sink is asked for)
        for (int i = 0; i < 3; i++) {
            fixtures.delivery(
                    fixtures.event("infobip", "SMS", "archived-" + i, "SENT", T0.minusMinutes(150)),
                    "archive",
                    "dead",
                    T0);
        }
        UUID twice = fixtures.event("infobip", "SMS", "archived-3", "SENT", T0.minusMinutes(100));
        fixtures.delivery(twice, "archive", "dead", T0);
        fixtures.delivery(twice, "ledger", "dead", T0);
        fixtures.delivery(
                fixtures.event("infobip", "SMS", "archived-4", "SENT", T0.minusMinutes(200)), "archive", "dead", T0);
    }

    private Reply get(String pathAndQuery) {
        return hub.admin("GET", pathAndQuery, ADMIN);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void pagesNewestFirstNeitherSkipNorRepeatEventsOfTheSameMoment() {
        List<String> expected =
                Sql.rows(database, "SELECT event_id FROM delivery_event ORDER BY received_at DESC, event_id DESC")
                        .stream()
                        .map(row -> row.get("event_id").toString())
                        .toList();
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            Reply page = get("/api/events?limit=3" + (after == null ? "" : "&after=" + after));
            List<String> ids = eventIds(page);
            assertThat(ids).hasSizeLessThanOrEqualTo(3);
            seen.addAll(ids);
            after = page.field("next");
            pages++;
        } while (after != null && pages < 20);
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
        // the seven of T0 come first and were split over three pages
        assertThat(seen.subList(0, 7))
                .containsExactlyInAnyOrderElementsOf(
                        tied.stream().map(UUID::toString).toList());
    }

    @Test
    void aRowShowsItsFieldsAndTheStateOfEachSink() {
        JsonNode event = get("/api/events?message_id=ib-1").json().get("events").get(0);
        assertThat(event.get("event_id").asText()).isEqualTo(deadCrm.toString());
        assertThat(event.get("provider").asText()).isEqualTo("infobip");
        assertThat(event.get("channel").asText()).isEqualTo("SMS");
        assertThat(event.get("status").asText()).isEqualTo("FAILED");
        assertThat(event.get("provider_status").asText()).isEqualTo("FAILED");
        assertThat(event.get("received_at").asText()).isEqualTo("2026-02-28T12:00:00Z");
        assertThat(event.get("sinks").get("crm").asText()).isEqualTo("dead");
        assertThat(event.get("sinks").get("alert").asText()).isEqualTo("delivered");
    }

    @Test
    void filtersNarrowTheSearch() {
        assertThat(messageIds(get("/api/events?message_id=2892295"))).containsExactly("2892295", "2892295");
        assertThat(messageIds(get("/api/events?provider=twilio"))).containsExactly("SM2892295");
        assertThat(messageIds(get("/api/events?provider=smsby&message_id=2892295&status=sent")))
                .containsExactly("2892295");
        assertThat(messageIds(get("/api/events?channel=VIBER"))).containsExactly("2892295", "2892295");
        assertThat(messageIds(get("/api/events?status=FAILED"))).containsExactly("SM2892295", "ib-1");
        assertThat(messageIds(get("/api/events?message_id_prefix=tie-&limit=500")))
                .hasSize(7);
        // a form's empty fields filter nothing
        assertThat(messageIds(get("/api/events?provider=&message_id=&status=&message_id_prefix=SM28")))
                .containsExactly("SM2892295");
    }

    @Test
    void aPrefixMatchesLikeWildcardsLiterally() {
        assertThat(messageIds(get("/api/events?message_id_prefix=" + q("a%b"))))
                .containsExactlyInAnyOrder("a%b_1", "a%bX1");
        assertThat(messageIds(get("/api/events?message_id_prefix=" + q("a_")))).containsExactly("a_b");
        assertThat(messageIds(get("/api/events?message_id_prefix=" + q("a\\")))).containsExactly("a\\b");
        assertThat(messageIds(get("/api/events?message_id_prefix=" + q("%")))).isEmpty();
    }

    @Test
    void fromIsInclusiveAndToExclusive() {
        String at = q(T0.minusHours(1).toString());
        assertThat(eventIds(get("/api/events?from=" + at + "&to=" + q(T0.toString()))))
                .containsExactly(viber.toString());
        assertThat(eventIds(get("/api/events?from=" + q(T0.toString())))).hasSize(7);
        // the same instant written with another offset
        assertThat(eventIds(get("/api/events?from=" + q("2026-03-01T14:00:00+02:00"))))
                .hasSize(7);
        assertThat(eventIds(get(
                        "/api/events?to=" + q(T0.minusHours(4).plusNanos(1000).toString()))))
                .hasSize(7);
    }

    @Test
    void sinkStatesFindTheDeadAndThePending() {
        assertThat(eventIds(get("/api/events?sink=crm&sink_state=dead"))).containsExactly(deadCrm.toString());
        assertThat(eventIds(get("/api/events?sink_state=dead&limit=500")))
                .containsExactlyElementsOf(newestFirst("SELECT DISTINCT event_id FROM outbox WHERE state = 'dead'"))
                .hasSize(6)
                .contains(deadCrm.toString());
        assertThat(eventIds(get("/api/events?sink=ledger&sink_state=pending")))
                .containsExactly(tied.get(3).toString());
        assertThat(eventIds(get("/api/events?sink_state=pending")))
                .containsExactly(tied.get(3).toString());
        assertThat(eventIds(get("/api/events?sink=alert"))).containsExactly(deadCrm.toString());
        assertThat(eventIds(get("/api/events?sink=crm"))).containsExactly(viber.toString(), deadCrm.toString());
        assertThat(eventIds(get("/api/events?sink=crm&sink_state=delivered"))).containsExactly(viber.toString());
        assertThat(eventIds(get("/api/events?sink=alert&sink_state=dead"))).isEmpty();
    }

    /**
     * The dead of one sink, page by page, in the events' order (read off the dead deliveries'
     * own index since V7): no event skipped or repeated, ties split over pages, a range narrows.
     */
    @Test
    void theDeadOfASinkArePagedNewestFirstAndNarrowedByARange() {
        List<String> expected = newestFirst("SELECT event_id FROM outbox WHERE state = 'dead' AND sink = 'archive'");
        assertThat(expected).hasSize(5);
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            Reply page =
                    get("/api/events?sink=archive&sink_state=dead&limit=2" + (after == null ? "" : "&after=" + after));
            List<String> ids = eventIds(page);
            assertThat(ids).hasSizeLessThanOrEqualTo(2);
            seen.addAll(ids);
            after = page.field("next");
            pages++;
        } while (after != null && pages < 10);
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);

        assertThat(messageIds(get("/api/events?sink=ledger&sink_state=dead"))).containsExactly("archived-3");
        assertThat(messageIds(get("/api/events?sink_state=dead&from="
                        + q(T0.minusMinutes(160).toString()) + "&to="
                        + q(T0.minusMinutes(120).toString()))))
                .containsExactlyInAnyOrder("archived-0", "archived-1", "archived-2");
        assertThat(messageIds(
                        get("/api/events?sink=archive&sink_state=dead&provider=infobip&message_id_prefix=archived-4")))
                .containsExactly("archived-4");
    }

    /** The events of the query's event_id column in the search's order, as the database orders them. */
    private List<String> newestFirst(String eventIds) {
        return Sql.rows(
                        database,
                        "SELECT event_id FROM delivery_event WHERE event_id IN (" + eventIds + ")"
                                + " ORDER BY received_at DESC, event_id DESC")
                .stream()
                .map(row -> row.get("event_id").toString())
                .toList();
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        Map<String, String> refusals = Map.ofEntries(
                Map.entry("/api/events?limit=0", "limit"),
                Map.entry("/api/events?limit=501", "limit"),
                Map.entry("/api/events?limit=ten", "limit"),
                Map.entry("/api/events?from=yesterday", "from"),
                Map.entry("/api/events?to=2026-03-01T12:00:00", "to"),
                Map.entry("/api/events?from=2026-03-01T12:00:00Z&to=2026-03-01T11:00:00Z", "from must be before to"),
                Map.entry("/api/events?status=LOST", "status"),
                Map.entry("/api/events?sink_state=broken", "sink_state"),
                Map.entry("/api/events?after=not-a-cursor", "after"),
                Map.entry("/api/events?message_id=1&message_id_prefix=1", "message_id_prefix"),
                Map.entry("/api/events?provider=a&provider=b", "provider is given more than once"),
                Map.entry("/api/events?messageid=1", "messageid is not a parameter"),
                Map.entry("/api/events/not-a-uuid", "event_id"),
                Map.entry("/api/events/" + deadCrm + "?x=1", "x is not a parameter"));
        refusals.forEach((path, named) -> {
            Reply reply = get(path);
            assertThat(reply.status()).as(path + " " + reply.body()).isEqualTo(400);
            assertThat(reply.field("error")).isEqualTo("invalid_parameter");
            assertThat(reply.field("message")).as(path).contains(named);
        });
    }

    @Test
    void theApiWantsTheAdminTokenAndGet() {
        assertThat(hub.admin("GET", "/api/events", null).status()).isEqualTo(401);
        assertThat(hub.admin("GET", "/api/events/" + deadCrm, "wrong").status()).isEqualTo(401);
        Reply delete = hub.admin("DELETE", "/api/events", ADMIN);
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.raw().headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void oneEventComesWithItsCanonicalJsonTimelineAndAttempts() {
        fixtures.attempt(deadCrmDelivery, deadCrm, "crm", 1, T0.minusDays(1), "retry", 503, "HTTP 503 from the CRM");
        fixtures.attempt(
                deadCrmDelivery,
                deadCrm,
                "crm",
                2,
                T0.minusDays(1).plusSeconds(2),
                "dead",
                400,
                "HTTP 400 from the CRM");
        Reply reply = get("/api/events/" + deadCrm);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.get("event").get("event_id").asText()).isEqualTo(deadCrm.toString());
        assertThat(body.get("event").get("attributes").isObject()).isTrue();
        assertThat(body.get("timeline")).hasSize(1);
        assertThat(body.get("timeline").get(0).get("sinks").get("crm").asText()).isEqualTo("dead");
        JsonNode crm = body.get("deliveries").get(0);
        assertThat(crm.get("id").asLong()).isEqualTo(deadCrmDelivery);
        assertThat(crm.get("sink").asText()).isEqualTo("crm");
        assertThat(crm.get("state").asText()).isEqualTo("dead");
        assertThat(crm.get("last_error").asText()).isEqualTo("HTTP 400 from the CRM");
        assertThat(crm.get("attempt_history")).hasSize(2);
        JsonNode second = crm.get("attempt_history").get(1);
        assertThat(second.get("attempt").asInt()).isEqualTo(2);
        assertThat(second.get("outcome").asText()).isEqualTo("dead");
        assertThat(second.get("http_status").asInt()).isEqualTo(400);
        assertThat(second.get("duration_ms").asInt()).isEqualTo(12);
        assertThat(second.get("started_at").asText()).isEqualTo("2026-02-28T12:00:02Z");
        assertThat(body.get("deliveries").get(1).get("sink").asText()).isEqualTo("alert");
        assertThat(body.get("deliveries").get(1).get("attempt_history")).isEmpty();

        JsonNode timeline = get("/api/events/" + viber).json().get("timeline");
        assertThat(timeline).hasSize(2);
        assertThat(timeline.get(0).get("status").asText()).isEqualTo("SENT");
        assertThat(timeline.get(1).get("status").asText()).isEqualTo("DELIVERED");

        Reply missing = get("/api/events/" + UUID.randomUUID());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.field("error")).isEqualTo("not_found");
    }
}
