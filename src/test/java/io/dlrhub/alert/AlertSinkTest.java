package io.dlrhub.alert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.dlrhub.support.RunningHub.FORM;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
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
import jakarta.mail.Header;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FAILED events reach the ops mailbox as digests, through a real SMTP server (GreenMail). */
class AlertSinkTest {

    @TempDir
    Path temp;

    int smtpPort;
    GreenMail smtp;
    TestDatabase database;
    RunningHub hub;

    @BeforeEach
    void start() {
        smtpPort = RunningHub.freePort();
        smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        database = TestDatabase.h2InMemory();
    }

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
        smtp.stop();
    }

    void startHub(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(Map.of(
                "smsby.tokens", "tok",
                "smtp.host", "127.0.0.1",
                "smtp.port", String.valueOf(smtpPort),
                "alert.email-from", "dlr-hub@example.org",
                "alert.email-to", "ops@example.org",
                "alert.digest-seconds", "3",
                "sink.alert.retry-initial-ms", "200",
                "sink.alert.retry-max-ms", "500"));
        settings.putAll(extra);
        hub = RunningHub.start(database, settings);
    }

    void webhook(String messageId, String status) {
        assertThat(hub.post(
                                "/webhooks/smsby?token=tok",
                                FORM,
                                "channel=SMS&message_id=" + messageId + "&status=" + status)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void fiveFailuresInOneWindowMakeOneDigestAndDeliveredMakesNone() throws Exception {
        smtp.start();
        startHub(Map.of());
        webhook("ok-1", "DELIVERED");
        for (int i = 1; i <= 5; i++) {
            webhook("fail-" + i, i % 2 == 0 ? "EXPIRED" : "NOT_DELIVERED");
        }

        assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getSubject()).contains("5 failed deliveries").contains("smsby");
        assertThat(mail.getFrom()[0].toString()).isEqualTo("dlr-hub@example.org");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ops@example.org");
        String body = GreenMailUtil.getBody(mail);
        for (int i = 1; i <= 5; i++) {
            assertThat(body).contains("message_id=fail-" + i + " ");
        }
        assertThat(body)
                .contains("provider_status=NOT_DELIVERED")
                .contains("provider_status=EXPIRED")
                .contains("channel=SMS")
                .doesNotContain("ok-1");
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'alert'"))
                .isEqualTo(5);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'delivered'"))
                .isEqualTo(5);
    }

    @Test
    void whileSmtpIsDownAlertsWaitAndArriveWhenItIsBack() throws Exception {
        startHub(Map.of("alert.digest-seconds", "1"));
        webhook("wait-1", "FAILED");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> Sql.count(
                                database,
                                "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'pending' AND attempts >= 2")
                        == 1);
        assertThat(hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=wait-2&status=SENT")
                        .status())
                .as("ingest is not blocked by the mail server")
                .isEqualTo(200);

        smtp.start();
        assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
        assertThat(GreenMailUtil.getBody(smtp.getReceivedMessages()[0])).contains("message_id=wait-1 ");
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'delivered'")
                                == 1);
    }

    @Test
    void aDeadCrmDeliveryRaisesAnAlert() throws Exception {
        WireMockServer crm = new WireMockServer(wireMockConfig().dynamicPort());
        crm.start();
        try {
            crm.stubFor(post(urlPathEqualTo("/crm")).willReturn(aResponse().withStatus(422)));
            smtp.start();
            startHub(Map.of("crm.url", "http://127.0.0.1:" + crm.port() + "/crm", "alert.digest-seconds", "1"));
            webhook("crm-dead-1", "DELIVERED");

            assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
            MimeMessage mail = smtp.getReceivedMessages()[0];
            assertThat(mail.getSubject()).contains("1 dead sink delivery");
            assertThat(GreenMailUtil.getBody(mail))
                    .contains("message_id=crm-dead-1 ")
                    .contains("delivery to crm is dead after 1 attempt(s): HTTP 422");
        } finally {
            crm.stop();
        }
    }

    @Test
    void withoutRecipientTheDigestIsOnlyLogged() {
        try (CapturedLog log = CapturedLog.attach()) {
            startHub(Map.of("alert.email-to", "", "alert.digest-seconds", "1"));
            webhook("log-1", "REJECTED");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'delivered'")
                            == 1);
            assertThat(log.linesContaining("dlrhub.alerts"))
                    .singleElement()
                    .satisfies(line -> assertThat(line)
                            .contains("1 failed delivery (smsby)")
                            .contains("message_id=log-1 ")
                            .contains("provider_status=REJECTED"));
            assertThat(smtp.getReceivedMessages()).isEmpty();
        }
    }

    /**
     * A provider that reports in Russian or Belarusian: its words, mapped to FAILED by the
     * operator, must read the same in the mail client as in the webhook. The checks are on the
     * message as the SMTP server received it, the way a mail client sees it.
     */
    @Test
    void cyrillicProviderWordsArriveReadableInAUtf8MailWithoutInternalHeaders() throws Exception {
        smtp.start();
        startHub(Map.of(
                "mappings.dir",
                mappingsWith("Не\\ доставлено = FAILED", "Не\\ дастаўлена = FAILED")
                        .toString()));
        webhook("ru-1", URLEncoder.encode("Не доставлено", UTF_8));
        webhook("be-1", URLEncoder.encode("Не дастаўлена", UTF_8));

        assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getContentType()).startsWith("text/plain").contains("charset=UTF-8");
        assertThat(mail.getHeader("MIME-Version", null)).isEqualTo("1.0");
        assertThat(mail.getEncoding()).as("Content-Transfer-Encoding").isIn("quoted-printable", "base64");
        assertThat(raw(mail))
                .as("the message as sent is 7-bit, so any relay passes it unchanged")
                .matches("\\p{ASCII}*");
        assertThat((String) mail.getContent())
                .contains("message_id=ru-1 ", "message_id=be-1 ")
                .contains("provider_status=Не доставлено ")
                .contains("provider_status=Не дастаўлена ");
        assertThat(mail.getSubject()).isEqualTo("[dlr-hub] 2 failed deliveries (smsby)");

        List<String> headers = Collections.list(mail.getAllHeaders()).stream()
                .map(Header::getName)
                .toList();
        assertThat(headers)
                .doesNotContain("DlrDigestCount")
                .noneMatch(
                        name -> name.regionMatches(true, 0, "Camel", 0, 5) || name.regionMatches(true, 0, "Dlr", 0, 3))
                .isSubsetOf(
                        "Return-Path",
                        "Received",
                        "Date",
                        "From",
                        "To",
                        "Message-ID",
                        "Subject",
                        "MIME-Version",
                        "Content-Type",
                        "Content-Transfer-Encoding");
    }

    /** The subject is built from provider names; one that is not ASCII is MIME-encoded (RFC 2047), not mangled. */
    @Test
    void aNonAsciiSubjectIsEncodedForTheMailHeader() throws Exception {
        smtp.start();
        startHub(Map.of());
        Map<String, Object> failure = new LinkedHashMap<>(Map.of(
                "provider", "смс-шлюз", "channel", "SMS", "message_id", "m1", "provider_status", "Не дастаўлена"));
        failure.put("note", null);
        hub.context().createProducerTemplate().sendBody("direct:sink-alert", List.of(failure));

        assertThat(smtp.waitForIncomingEmail(15_000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getHeader("Subject", null)).startsWithIgnoringCase("=?UTF-8?");
        assertThat(mail.getSubject()).isEqualTo("[dlr-hub] 1 failed delivery (смс-шлюз)");
    }

    /** The shipped sms.by mapping plus the given lines, in a directory of this test's own. */
    private Path mappingsWith(String... lines) throws Exception {
        Path directory = Files.createDirectory(temp.resolve("mappings"));
        // every adapter's mapping must exist (the start refuses an adapter without one); smsby's gets the lines
        try (var files = Files.list(Path.of("routes/mappings"))) {
            for (Path file : files.toList()) {
                Files.copy(file, directory.resolve(file.getFileName()));
            }
        }
        String shipped = Files.readString(Path.of("routes/mappings/smsby.properties"), UTF_8);
        Files.writeString(directory.resolve("smsby.properties"), shipped + String.join("\n", lines) + "\n", UTF_8);
        return directory;
    }

    /** The message exactly as the SMTP server stored it, one char per byte. */
    private static String raw(MimeMessage mail) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        mail.writeTo(bytes);
        return bytes.toString(ISO_8859_1);
    }
}
