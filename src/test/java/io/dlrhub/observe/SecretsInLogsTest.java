package io.dlrhub.observe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.Test;

/**
 * Every configured secret is used on every path (accepted, refused, CRM retries and dead
 * deliveries, alert mail, operations API), with all logging at DEBUG; none may appear in any log
 * line, answer, metric or e-mail.
 */
class SecretsInLogsTest {

    static final String SMSBY_TOKEN = "smsby-secret-token-1f3a";
    static final String BASIC_PASSWORD = "basic-secret-pass-77aa";
    static final String CRM_TOKEN = "crm-secret-bearer-9c2e";
    static final String CRM_SIGNING = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LXZhbHVl";
    static final String ADMIN_TOKEN = "admin-secret-token-4b1d";
    static final String SMTP_PASSWORD = "smtp-secret-pass-d00d";

    @Test
    void noSecretAppearsInLogsAnswersMetricsOrMail() throws Exception {
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(503)));
        int smtpPort = RunningHub.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("ops@example.org", "alerts", SMTP_PASSWORD);
        smtp.start();
        Level before = org.apache.logging.log4j.LogManager.getRootLogger().getLevel();
        Configurator.setRootLevel(Level.DEBUG);
        List<String> answers = new java.util.ArrayList<>();
        Map<String, String> settings = new HashMap<>();
        settings.put("smsby.tokens", SMSBY_TOKEN);
        settings.put("smsby.basic-user", "sms");
        settings.put("smsby.basic-password", BASIC_PASSWORD);
        settings.put("crm.url", "http://127.0.0.1:" + crm.port() + "/crm");
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
        try (CapturedLog log = CapturedLog.attach(); RunningHub hub = RunningHub.start(database, settings)) {
            String basic = "Basic " + Base64.getEncoder().encodeToString(("sms:" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8));
            answers.add(hub.post("/webhooks/smsby?token=" + SMSBY_TOKEN, FORM, "channel=SMS&message_id=s-1&status=FAILED",
                    "Authorization", basic).body());
            answers.add(hub.post("/webhooks/smsby?token=" + SMSBY_TOKEN, FORM, "channel=SMS&message_id=s-2&status=SENT",
                    "Authorization", "Basic " + Base64.getEncoder().encodeToString(("sms:" + BASIC_PASSWORD + "x").getBytes(StandardCharsets.UTF_8))).body());
            answers.add(hub.post("/webhooks/smsby?token=" + SMSBY_TOKEN + "x", FORM, "channel=SMS&message_id=s-3&status=SENT",
                    "Authorization", basic).body());
            answers.add(hub.post("/webhooks/smsby?token=" + SMSBY_TOKEN, FORM, "channel=SMS&status=SENT",
                    "Authorization", basic).body());
            answers.add(hub.admin("GET", "/api/outbox?state=pending", ADMIN_TOKEN).body());
            answers.add(hub.admin("GET", "/api/outbox?state=dead", ADMIN_TOKEN + "x").body());

            await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count(database,
                    "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'") == 1);
            // the failure and the dead CRM delivery both reach the mailbox (in one digest or two)
            await().atMost(Duration.ofSeconds(20)).until(() -> Sql.count(database,
                    "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'delivered'") == 2);
            assertThat(smtp.getReceivedMessages()).isNotEmpty();
            answers.add(hub.admin("GET", "/api/outbox?state=dead", ADMIN_TOKEN).body());
            answers.add(hub.admin("GET", "/api/messages/smsby/s-1", ADMIN_TOKEN).body());
            answers.add(hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics")).GET().build()).body());
            answers.add(hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/health")).GET().build()).body());

            List<String> everything = new java.util.ArrayList<>(log.lines());
            everything.addAll(answers);
            for (var mail : smtp.getReceivedMessages()) {
                everything.add(GreenMailUtil.getWholeMessage(mail));
            }
            assertThat(log.lines()).as("DEBUG logging was on").hasSizeGreaterThan(100);
            for (String secret : List.of(SMSBY_TOKEN, BASIC_PASSWORD, CRM_TOKEN, CRM_SIGNING, CRM_SIGNING.substring(6),
                    ADMIN_TOKEN, SMTP_PASSWORD)) {
                assertThat(everything).as("lines containing " + secret).noneMatch(line -> line.contains(secret));
            }
        } finally {
            Configurator.setRootLevel(before);
            smtp.stop();
            crm.stop();
        }
    }
}
