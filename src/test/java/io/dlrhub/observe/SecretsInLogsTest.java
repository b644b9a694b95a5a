package io.dlrhub.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every configured secret is used on every path (accepted, refused, CRM retries and dead
 * deliveries, alert mail, operations API, mistyped webhook URLs), with all logging at DEBUG and
 * again at TRACE; none may appear in any log line, answer, metric or e-mail.
 */
class SecretsInLogsTest {

    static final String SMSBY_TOKEN = "smsby-secret-token-1f3a";
    static final String BASIC_PASSWORD = "basic-secret-pass-77aa";
    static final String CRM_TOKEN = "crm-secret-bearer-9c2e";
    static final String CRM_SIGNING = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LXZhbHVl";
    static final String ADMIN_TOKEN = "admin-secret-token-4b1d";
    static final String SMTP_PASSWORD = "smtp-secret-pass-d00d";
    static final String CRM_URL_PASSWORD = "crm-url-secret-pass-51ab";
    static final String CRM_URL_KEY = "crm-url-secret-key-0e77";
    static final String STANDARD_SECRET = "whsec_c3RhbmRhcmQtc2VjcmV0LWluLWxvZ3MtdGVzdA==";
    static final String TWILIO_AUTH_TOKEN = "twilio-secret-auth-token-3c9d";

    @ParameterizedTest
    @ValueSource(strings = {"DEBUG", "TRACE"})
    void noSecretAppearsInLogsAnswersMetricsOrMail(String level) throws Exception {
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(503)));
        int smtpPort = RunningHub.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("ops@example.org", "alerts", SMTP_PASSWORD);
        smtp.start();
        Level before = org.apache.logging.log4j.LogManager.getRootLogger().getLevel();
        Configurator.setRootLevel(Level.toLevel(level));
        List<String> answers = new java.util.ArrayList<>();
        Map<String, String> settings = new HashMap<>();
        settings.put("smsby.tokens", SMSBY_TOKEN);
        settings.put("smsby.basic-user", "sms");
        settings.put("smsby.basic-password", BASIC_PASSWORD);
        // credentials in the URL itself, as some CRMs take them
        settings.put(
                "crm.url",
                "http://crm:" + CRM_URL_PASSWORD + "@127.0.0.1:" + crm.port() + "/crm?api_key=" + CRM_URL_KEY);
        settings.put("standard.webhook-secrets", STANDARD_SECRET);
        settings.put("twilio.auth-tokens", TWILIO_AUTH_TOKEN);
        settings.put("crm.token", CRM_TOKEN);
        settings.put("crm.signing-secret", CRM_SIGNING);
        settings.put("crm.retry-initial-ms", "50");
        settings.put("crm.retry-max-ms", "100");
        settings.put("crm.max-attempts", "3");
        settings.put("admin.token", ADMIN_TOKEN);
        settings.put("smtp.host", "127.0.0.1");
        settings.put("smtp.port", String.valueOf(smtpPort));
        settings.put("smtp.username", "alerts");
        settings.put("smtp.password", SMTP_PASSWORD);
        settings.put("alert.email-to", "ops@example.org");
        settings.put("alert.digest-seconds", "1");
        TestDatabase database = TestDatabase.h2InMemory();
        try (CapturedLog log = CapturedLog.attach();
                RunningHub hub = RunningHub.start(database, settings)) {
            String basic = "Basic "
                    + Base64.getEncoder().encodeToString(("sms:" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8));
            answers.add(hub.post(
                            "/webhooks/smsby?token=" + SMSBY_TOKEN,
                            FORM,
                            "channel=SMS&message_id=s-1&status=FAILED",
                            "Authorization",
                            basic)
                    .body());
            answers.add(hub.post(
                            "/webhooks/smsby?token=" + SMSBY_TOKEN,
                            FORM,
                            "channel=SMS&message_id=s-2&status=SENT",
                            "Authorization",
                            "Basic "
                                    + Base64.getEncoder()
                                            .encodeToString(
                                                    ("sms:" + BASIC_PASSWORD + "x").getBytes(StandardCharsets.UTF_8)))
                    .body());
            answers.add(hub.post(
                            "/webhooks/smsby?token=" + SMSBY_TOKEN + "x",
                            FORM,
                            "channel=SMS&message_id=s-3&status=SENT",
                            "Authorization",
                            basic)
                    .body());
            answers.add(hub.post(
                            "/webhooks/smsby?token=" + SMSBY_TOKEN,
                            FORM,
                            "channel=SMS&status=SENT",
                            "Authorization",
                            basic)
                    .body());
            // mistyped URLs: the token lands in the path
            for (String mistyped : List.of(
                    "/webhooks/smsby&token=" + SMSBY_TOKEN,
                    "/webhooks/smsby;token=" + SMSBY_TOKEN,
                    "/webhooks/smsby/" + SMSBY_TOKEN,
                    "/webhooks/" + SMSBY_TOKEN,
                    "/webhooks/smsby%26token=" + SMSBY_TOKEN)) {
                answers.add(hub.post(mistyped, FORM, "channel=SMS&message_id=s-5&status=SENT")
                        .body());
            }
            answers.add(hub.post("/webhooks/smsby?token=" + SMSBY_TOKEN, "text/plain", "x")
                    .body());
            answers.add(hub.send(HttpRequest.newBuilder(hub.uri("/webhooks/smsby?token=" + SMSBY_TOKEN))
                            .header("Content-Type", FORM)
                            .method("GET", HttpRequest.BodyPublishers.ofString("a=b"))
                            .build())
                    .body());
            // the other providers' credentials, right and wrong
            long now = java.time.Instant.now().getEpochSecond();
            String report = "{\"type\":\"message.status\",\"timestamp\":\"2026-11-27T10:00:01Z\",\"data\":"
                    + "{\"channel\":\"SMS\",\"message_id\":\"s-6\",\"status\":\"DELIVERED\"}}";
            String signature = new io.dlrhub.auth.StandardWebhooks(
                            List.of(STANDARD_SECRET), java.time.Clock.systemUTC(), Duration.ofMinutes(5))
                    .sign("msg_s6", now, report.getBytes(StandardCharsets.UTF_8));
            answers.add(hub.post(
                            "/webhooks/standard",
                            "application/json",
                            report,
                            "webhook-id",
                            "msg_s6",
                            "webhook-timestamp",
                            Long.toString(now),
                            "webhook-signature",
                            signature)
                    .body());
            answers.add(hub.post(
                            "/webhooks/standard",
                            "application/json",
                            report,
                            "webhook-id",
                            "msg_s6x",
                            "webhook-timestamp",
                            Long.toString(now),
                            "webhook-signature",
                            signature)
                    .body());
            String twilioBody = "MessageSid=SM7&MessageStatus=delivered&From=%2B1&To=%2B2";
            answers.add(hub.post(
                            "/webhooks/twilio",
                            FORM,
                            twilioBody,
                            "X-Twilio-Signature",
                            new io.dlrhub.auth.TwilioSignature(List.of(TWILIO_AUTH_TOKEN))
                                    .sign(
                                            "http://localhost:0/webhooks/twilio",
                                            Map.of(
                                                    "MessageSid",
                                                    List.of("SM7"),
                                                    "MessageStatus",
                                                    List.of("delivered"),
                                                    "From",
                                                    List.of("+1"),
                                                    "To",
                                                    List.of("+2"))))
                    .body());
            answers.add(
                    hub.admin("GET", "/api/outbox?state=pending", ADMIN_TOKEN).body());
            answers.add(hub.admin("GET", "/api/outbox?Authorization=Bearer%20" + ADMIN_TOKEN, null)
                    .body());
            answers.add(hub.admin("GET", "/api/outbox?state=dead", ADMIN_TOKEN + "x")
                    .body());

            // every accepted event (sms.by, Standard Webhooks, Twilio) has its CRM delivery die
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'")
                                    == 3);
            // the failure and the dead CRM deliveries all reach the mailbox (in one digest or more)
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'delivered'")
                            == 4);
            assertThat(smtp.getReceivedMessages()).isNotEmpty();
            answers.add(hub.admin("GET", "/api/outbox?state=dead", ADMIN_TOKEN).body());
            answers.add(hub.admin("GET", "/api/messages/smsby/s-1", ADMIN_TOKEN).body());
            answers.add(hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                            .GET()
                            .build())
                    .body());
            answers.add(hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/health"))
                            .GET()
                            .build())
                    .body());
            answers.add(hub.admin("GET", "/api/sinks", ADMIN_TOKEN).body());
            answers.add(hub.admin("GET", "/api/overview", ADMIN_TOKEN).body());
            // the console: a wrong and a right sign-in (the token in a form body), its pages, its session
            answers.add(consolePost(hub, "/console/sign-in", "token=" + ADMIN_TOKEN + "x", null)
                    .body());
            var signedIn = consolePost(hub, "/console/sign-in", "token=" + ADMIN_TOKEN, null);
            String cookie = signedIn.raw()
                    .headers()
                    .firstValue("Set-Cookie")
                    .orElseThrow()
                    .split(";", 2)[0];
            String sessionId = cookie.substring(cookie.indexOf('=') + 1);
            var session = hub.send(HttpRequest.newBuilder(hub.managementUri("/console/session"))
                    .header("Cookie", cookie)
                    .build());
            String csrf = session.field("csrf_token");
            for (String page : List.of("/console", "/console/sinks", "/console/dead-letters")) {
                answers.add(hub.send(HttpRequest.newBuilder(hub.managementUri(page))
                                .header("Cookie", cookie)
                                .build())
                        .body());
            }
            answers.add(hub.send(HttpRequest.newBuilder(hub.managementUri("/api/sinks"))
                            .header("Cookie", cookie)
                            .build())
                    .body());
            answers.add(consolePost(hub, "/console/sign-out", "csrf_token=" + csrf, cookie)
                    .body());

            List<String> everything = new java.util.ArrayList<>(log.lines());
            everything.addAll(answers);
            for (var mail : smtp.getReceivedMessages()) {
                everything.add(GreenMailUtil.getWholeMessage(mail));
            }
            assertThat(log.lines()).as(level + " logging was on").hasSizeGreaterThan(100);
            for (String secret : List.of(
                    SMSBY_TOKEN,
                    BASIC_PASSWORD,
                    CRM_TOKEN,
                    CRM_SIGNING,
                    CRM_SIGNING.substring(6),
                    ADMIN_TOKEN,
                    SMTP_PASSWORD,
                    CRM_URL_PASSWORD,
                    CRM_URL_KEY,
                    STANDARD_SECRET,
                    STANDARD_SECRET.substring(6),
                    TWILIO_AUTH_TOKEN,
                    // what a Basic header carries on the wire
                    Base64.getEncoder().encodeToString(("sms:" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8)))) {
                assertThat(everything.stream()
                                .filter(line -> line.contains(secret))
                                .toList())
                        .as("lines containing " + secret + " at " + level)
                        .isEmpty();
            }
            // a console session's id and CSRF token are not configured secrets, and are never logged either
            for (String secret : List.of(sessionId, csrf)) {
                assertThat(log.lines().stream()
                                .filter(line -> line.contains(secret))
                                .toList())
                        .as("log lines containing a console session's secret at " + level)
                        .isEmpty();
            }
        } finally {
            Configurator.setRootLevel(before);
            smtp.stop();
            crm.stop();
        }
    }

    /** A form POST as the console's pages send it (same origin), with the session cookie when given. */
    private static RunningHub.Reply consolePost(RunningHub hub, String path, String form, String cookie) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.managementUri(path))
                .header("Content-Type", FORM)
                .header("Origin", "http://127.0.0.1:" + hub.managementPort())
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return hub.send(request.build());
    }
}
