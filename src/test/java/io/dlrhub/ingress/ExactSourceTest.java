package io.dlrhub.ingress;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17, case 1: a security decision reads only the exact source it was verified from. Camel's
 * message headers mix real headers, query parameters and path parameters under one name; each test
 * puts a second value where the merge would pick it up, and checks that it changes nothing.
 */
class ExactSourceTest {

    static final String JSON = "application/json";
    static final String SECRET = StandardWebhookTest.secret("exact source standard webhook secret");
    static final String SMSBY_TOKEN = "exact-source-smsby-token";
    static final String ADMIN_TOKEN = "exact-source-admin-token";

    @RegisterExtension
    @Order(1)
    static final WireMockExtension crm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort())
            .resetOnEachTest(false)
            .build();

    @RegisterExtension
    @Order(2)
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with(Map.of("standard.webhook-secrets", SECRET, "smsby.tokens", SMSBY_TOKEN, "admin.token", ADMIN_TOKEN))
            .withSettingsFrom(ExactSourceTest::crmAnswering400);

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    /** 400: every delivery is dead at its first attempt, so each one reaches the CRM exactly once (and can be replayed). */
    static Map<String, String> crmAnswering400() {
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(400)));
        return Map.of("crm.url", "http://127.0.0.1:" + crm.getPort() + "/crm");
    }

    Reply signed(String query, String id, long timestamp, String body, String... extraHeaders) throws Exception {
        String[] headers = new String[6 + extraHeaders.length];
        headers[0] = "webhook-id";
        headers[1] = id;
        headers[2] = "webhook-timestamp";
        headers[3] = Long.toString(timestamp);
        headers[4] = "webhook-signature";
        headers[5] = StandardWebhookTest.signature(SECRET, id, timestamp, body);
        System.arraycopy(extraHeaders, 0, headers, 6, extraHeaders.length);
        return hub.post("/webhooks/standard" + query, JSON, body, headers);
    }

    long rows(String messageId) {
        return Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = ?", messageId);
    }

    int crmCalls(String eventId) {
        return crm.findAll(postRequestedFor(urlPathEqualTo("/crm")).withHeader("Idempotency-Key", equalTo(eventId)))
                .size();
    }

    int crmCallsFor(String messageId) {
        return (int) crm.findAll(postRequestedFor(urlPathEqualTo("/crm"))).stream()
                .filter(r -> r.getBodyAsString().contains("\"" + messageId + "\""))
                .count();
    }

    void awaitDead(String eventId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Sql.count(
                                database,
                                "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead' AND event_id = ?",
                                UUID.fromString(eventId))
                        == 1);
    }

    /** A validly signed Standard Webhooks request, as an attacker would capture it. */
    private record Captured(String id, long timestamp, String body, String eventId) {}

    /** Sends a signed report once: accepted, and its one CRM delivery made (dead at once, see crmAnswering400). */
    private Captured acceptedAndDelivered(String messageId) throws Exception {
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        String body = StandardWebhookTest.report(messageId, "DELIVERED");
        long timestamp = Instant.now().getEpochSecond();
        Reply first = signed("", id, timestamp, body);
        assertThat(first.field("status")).as(first.toString()).isEqualTo("accepted");
        awaitDead(first.field("event_id"));
        return new Captured(id, timestamp, body, first.field("event_id"));
    }

    @Test
    void aReplayWithWebhookIdInTheQueryIsADuplicateAndReachesTheCrmOnce() throws Exception {
        Captured first = acceptedAndDelivered("exact-query-1");

        // the captured request again, within its 5 minutes, with a second webhook-id in the URL
        Reply replay = signed(
                "?webhook-id=" + URLEncoder.encode("anything-else", StandardCharsets.UTF_8),
                first.id(),
                first.timestamp(),
                first.body());

        assertThat(replay.status()).as(replay.toString()).isEqualTo(200);
        assertThat(replay.field("status")).as(replay.toString()).isEqualTo("duplicate");
        assertThat(replay.field("event_id")).isEqualTo(first.eventId());
        assertThat(rows("exact-query-1")).isEqualTo(1);
        Thread.sleep(500); // a second delivery would be claimed at once
        assertThat(crmCallsFor("exact-query-1")).as("CRM calls for the message").isEqualTo(1);
    }

    @Test
    void aReplayWithASecondWebhookIdHeaderIsRefusedAndNothingIsStoredOrForwarded() throws Exception {
        Captured first = acceptedAndDelivered("exact-header-1");

        Reply replay = signed("", first.id(), first.timestamp(), first.body(), "webhook-id", "anything-else");

        // which of two webhook-ids the signature covers is not guessed: the request is refused
        assertThat(replay.status()).as(replay.toString()).isEqualTo(401);
        assertThat(replay.body()).contains("webhook-id");
        assertThat(rows("exact-header-1")).isEqualTo(1);
        Thread.sleep(500);
        assertThat(crmCallsFor("exact-header-1"))
                .as("CRM calls for the message")
                .isEqualTo(1);
    }

    @Test
    void theAdminTokenCountsOnlyInTheAuthorizationHeader() {
        String query = "?Authorization=" + URLEncoder.encode("Bearer " + ADMIN_TOKEN, StandardCharsets.UTF_8);
        Reply list = hub.admin("GET", "/api/outbox" + query, null);
        Reply history = hub.admin("GET", "/api/messages/standard/x" + query, null);
        Reply replay = hub.admin("POST", "/api/outbox/1/replay" + query, null);
        Reply header = hub.admin("GET", "/api/outbox", ADMIN_TOKEN);

        assertThat(list.status()).as(list.toString()).isEqualTo(401);
        assertThat(history.status()).as(history.toString()).isEqualTo(401);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(401);
        assertThat(header.status()).as(header.toString()).isEqualTo(200);
    }

    @Test
    void aProviderRequestHeaderCannotChangeTheProvider() {
        Reply reply = hub.post(
                "/webhooks/smsby?token=" + SMSBY_TOKEN,
                FORM,
                "channel=SMS&message_id=exact-provider-1&status=SENT",
                "provider",
                "twilio");
        Reply viaQuery = hub.post(
                "/webhooks/smsby?token=" + SMSBY_TOKEN + "&provider=twilio",
                FORM,
                "channel=SMS&message_id=exact-provider-2&status=SENT");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(viaQuery.status()).as(viaQuery.toString()).isEqualTo(200);
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM delivery_event WHERE provider = 'smsby'"
                                + " AND message_id IN ('exact-provider-1', 'exact-provider-2')"))
                .isEqualTo(2);
    }

    @Test
    void answerHeadersAreNeverTakenFromTheRequest() {
        Reply accepted = hub.post(
                "/webhooks/smsby?token=" + SMSBY_TOKEN + "&Retry-After=from-query",
                FORM,
                "channel=SMS&message_id=exact-echo-1&status=SENT",
                "Retry-After",
                "from-header");
        Reply refused = hub.post(
                "/webhooks/smsby?token=" + SMSBY_TOKEN + "&Retry-After=from-query",
                FORM,
                "channel=SMS&status=SENT",
                "Retry-After",
                "from-header");
        Reply admin = hub.send(HttpRequest.newBuilder(hub.managementUri("/api/outbox?Retry-After=from-query"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Retry-After", "from-header")
                .GET()
                .build());

        for (Reply reply : java.util.List.of(accepted, refused, admin)) {
            assertThat(reply.raw().headers().allValues("Retry-After"))
                    .as(reply.toString())
                    .isEmpty();
        }
    }

    @Test
    void anIdQueryParameterCannotChangeTheReplayedDelivery() throws Exception {
        String first = hub.post(
                        "/webhooks/smsby?token=" + SMSBY_TOKEN,
                        FORM,
                        "channel=SMS&message_id=exact-replay-1&status=SENT")
                .field("event_id");
        String second = hub.post(
                        "/webhooks/smsby?token=" + SMSBY_TOKEN,
                        FORM,
                        "channel=SMS&message_id=exact-replay-2&status=SENT")
                .field("event_id");
        awaitDead(first);
        awaitDead(second);
        long firstId = Sql.count(
                database, "SELECT id FROM outbox WHERE sink = 'crm' AND event_id = ?", UUID.fromString(first));
        long secondId = Sql.count(
                database, "SELECT id FROM outbox WHERE sink = 'crm' AND event_id = ?", UUID.fromString(second));

        Reply replay =
                hub.send(HttpRequest.newBuilder(hub.managementUri("/api/outbox/" + firstId + "/replay?id=" + secondId))
                        .header("Authorization", "Bearer " + ADMIN_TOKEN)
                        .header("id", Long.toString(secondId))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build());

        assertThat(replay.status()).as(replay.toString()).isEqualTo(200);
        assertThat(replay.json().path("id").asLong()).isEqualTo(firstId);
        await().atMost(Duration.ofSeconds(20)).until(() -> crmCalls(first) == 2);
        assertThat(crmCalls(second)).as("CRM calls of the other delivery").isEqualTo(1);
    }
}
