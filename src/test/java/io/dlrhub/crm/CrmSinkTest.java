package io.dlrhub.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CRM sink against a real HTTP server standing in for the CRM (WireMock). */
class CrmSinkTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    static final String CRM_TOKEN = "crm-bearer-token-value";
    static final String ADMIN = "admin-token-value";

    WireMockServer crm;
    TestDatabase database;
    RunningHub hub;

    @BeforeEach
    void start() {
        crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        database = TestDatabase.h2InMemory();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        crm.stop();
    }

    void startHub(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "smsby.tokens",
                "tok",
                "crm.url",
                "http://127.0.0.1:" + crm.port() + "/crm/dlr",
                "crm.token",
                CRM_TOKEN,
                "crm.signing-secret",
                SECRET,
                "crm.retry-initial-ms",
                "50",
                "crm.retry-max-ms",
                "200",
                "admin.token",
                ADMIN));
        settings.putAll(extra);
        hub = RunningHub.start(database, settings);
    }

    Reply webhook(String messageId, String status) {
        return hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=" + messageId + "&status=" + status);
    }

    List<LoggedRequest> crmCalls() {
        return crm.findAll(postRequestedFor(urlPathEqualTo("/crm/dlr")));
    }

    @Test
    void everyEventIsPostedWithIdempotencyKeyBearerTokenAndAVerifiableSignature() throws Exception {
        crm.stubFor(post(urlPathEqualTo("/crm/dlr")).willReturn(ok()));
        startHub(Map.of());

        Reply reply = webhook("crm-1", "DELIVERED");
        String eventId = reply.field("event_id");
        await().atMost(Duration.ofSeconds(10)).until(() -> crmCalls().size() == 1);

        LoggedRequest call = crmCalls().get(0);
        assertThat(call.getHeader("Content-Type")).startsWith("application/json");
        assertThat(call.getHeader("Idempotency-Key")).isEqualTo(eventId);
        assertThat(call.getHeader("Authorization")).isEqualTo("Bearer " + CRM_TOKEN);
        JsonNode body = new ObjectMapper().readTree(call.getBodyAsString());
        assertThat(body.get("event_id").asText()).isEqualTo(eventId);
        assertThat(body.get("message_id").asText()).isEqualTo("crm-1");
        assertThat(body.get("status").asText()).isEqualTo("DELIVERED");
        String stored = Sql.rows(
                        database,
                        "SELECT payload FROM delivery_event WHERE event_id = ?",
                        java.util.UUID.fromString(eventId))
                .get(0)
                .get("payload")
                .toString();
        assertThat(call.getBodyAsString()).isEqualTo(stored);

        // Standard Webhooks, checked here with the JDK alone: HMAC-SHA256(id.timestamp.body)
        assertThat(call.getHeader("webhook-id")).isEqualTo(eventId);
        long timestamp = Long.parseLong(call.getHeader("webhook-timestamp"));
        assertThat(Math.abs(Instant.now().getEpochSecond() - timestamp)).isLessThan(300);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        String expected = Base64.getEncoder()
                .encodeToString(mac.doFinal(
                        (eventId + "." + timestamp + "." + call.getBodyAsString()).getBytes(StandardCharsets.UTF_8)));
        assertThat(call.getHeader("webhook-signature")).isEqualTo("v1," + expected);

        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'")
                                == 1);
    }

    @Test
    void nothingFromTheProvidersRequestReachesTheCrm() {
        crm.stubFor(post(urlPathEqualTo("/crm/dlr")).willReturn(ok()));
        startHub(Map.of());

        Reply reply = hub.post(
                "/webhooks/smsby?token=tok&CamelHttpPath=/hijack&CamelHttpQuery=x=1",
                FORM,
                "channel=SMS&message_id=leak-1&status=SENT&CamelHttpUri=http://evil.example/",
                "X-Evil",
                "1",
                "Cookie",
                "session=abc",
                "X-Webhook-Token",
                "tok");
        assertThat(reply.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> crmCalls().size() == 1);

        LoggedRequest call = crmCalls().get(0);
        assertThat(call.getUrl()).isEqualTo("/crm/dlr");
        assertThat(call.getHeaders().keys())
                .map(String::toLowerCase)
                .doesNotContain("x-evil", "cookie", "x-webhook-token", "token", "channel", "message_id")
                .noneMatch(h -> h.startsWith("camel") || h.startsWith("dlr"));
    }

    @Test
    void aCrmThatFailsThreeTimesGetsTheEventOnTheFourthAttemptOnce() {
        crm.stubFor(post(urlPathEqualTo("/crm/dlr"))
                .inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("1"));
        crm.stubFor(post(urlPathEqualTo("/crm/dlr"))
                .inScenario("flaky")
                .whenScenarioStateIs("1")
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("2"));
        crm.stubFor(post(urlPathEqualTo("/crm/dlr"))
                .inScenario("flaky")
                .whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("up"));
        crm.stubFor(post(urlPathEqualTo("/crm/dlr"))
                .inScenario("flaky")
                .whenScenarioStateIs("up")
                .willReturn(ok()));
        startHub(Map.of());

        String eventId = webhook("flaky-1", "SENT").field("event_id");

        await().atMost(Duration.ofSeconds(15))
                .until(() ->
                        Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'delivered'")
                                == 1);
        assertThat(crmCalls())
                .hasSize(4)
                .allSatisfy(c -> assertThat(c.getHeader("Idempotency-Key")).isEqualTo(eventId));
        assertThat(Sql.rows(database, "SELECT attempts FROM outbox WHERE sink = 'crm'"))
                .extracting(r -> ((Number) r.get("attempts")).intValue())
                .containsExactly(4);
    }

    @Test
    void aRefusedEventIsDeadListedAndDeliveredWhenReplayedAfterTheCrmIsFixed() {
        crm.stubFor(post(urlPathEqualTo("/crm/dlr"))
                .willReturn(aResponse().withStatus(400).withBody("bad")));
        startHub(Map.of());
        String eventId = webhook("dead-1", "DELIVERED").field("event_id");

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'") == 1);
        assertThat(crmCalls()).hasSize(1);

        assertThat(hub.admin("GET", "/api/outbox?state=dead", null).status()).isEqualTo(401);
        assertThat(hub.admin("GET", "/api/outbox?state=dead", "wrong").status()).isEqualTo(401);
        Reply dead = hub.admin("GET", "/api/outbox?state=dead", ADMIN);
        assertThat(dead.status()).as(dead.toString()).isEqualTo(200);
        assertThat(dead.json()).hasSize(1);
        JsonNode entry = dead.json().get(0);
        assertThat(entry.get("sink").asText()).isEqualTo("crm");
        assertThat(entry.get("event_id").asText()).isEqualTo(eventId);
        assertThat(entry.get("attempts").asInt()).isEqualTo(1);
        assertThat(entry.get("last_error").asText()).contains("400");
        long id = entry.get("id").asLong();

        crm.resetAll();
        crm.stubFor(post(urlPathEqualTo("/crm/dlr")).willReturn(ok()));
        assertThat(hub.admin("POST", "/api/outbox/" + id + "/replay", null).status())
                .isEqualTo(401);
        Reply replay = hub.admin("POST", "/api/outbox/" + id + "/replay", ADMIN);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(200);
        assertThat(replay.field("status")).isEqualTo("replayed");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE id = ? AND state = 'delivered'", id)
                        == 1);
        assertThat(crmCalls()).hasSize(1);
        assertThat(hub.admin("GET", "/api/outbox?state=dead", ADMIN).json()).isEmpty();
        assertThat(hub.admin("POST", "/api/outbox/" + id + "/replay", ADMIN).status())
                .isEqualTo(404);
        assertThat(hub.admin("POST", "/api/outbox/abc/replay", ADMIN).status()).isEqualTo(400);
        assertThat(hub.admin("GET", "/api/outbox?state=everything", ADMIN).status())
                .isEqualTo(400);
    }

    @Test
    void afterTheLastAttemptTheDeliveryIsDead() {
        crm.stubFor(post(urlPathEqualTo("/crm/dlr")).willReturn(aResponse().withStatus(500)));
        startHub(Map.of("crm.max-attempts", "3"));
        webhook("exhaust-1", "SENT");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Sql.count(
                                database,
                                "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead' AND attempts = 3")
                        == 1);
        assertThat(crmCalls()).hasSize(3);
    }

    @Test
    void retryAfterFromTheCrmIsHonoured() {
        crm.stubFor(post(urlPathEqualTo("/crm/dlr"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        startHub(Map.of("crm.retry-max-ms", "600000"));
        Instant before = Instant.now();
        webhook("later-1", "SENT");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> crmCalls().size() == 1
                        && Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE attempts = 1") == 1);
        Object next = Sql.rows(database, "SELECT next_attempt_at FROM outbox WHERE sink = 'crm'")
                .get(0)
                .get("next_attempt_at");
        Instant nextAttempt = next instanceof java.time.OffsetDateTime odt
                ? odt.toInstant()
                : ((java.sql.Timestamp) next).toInstant();
        assertThat(nextAttempt).isAfter(before.plusSeconds(115));
    }

    @Test
    void withoutCrmUrlNothingIsQueuedForTheCrm() {
        startHub(Map.of("crm.url", ""));
        assertThat(webhook("off-1", "DELIVERED").status()).isEqualTo(200);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm'"))
                .isZero();
    }
}
