package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The whole service reads typed settings by one rule: other spellings work, typos stop start-up. */
class SettingsStartupTest {

    RunningHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    RunningHub start(Map<String, String> settings) {
        hub = RunningHub.start(TestDatabase.h2InMemory(), settings);
        return hub;
    }

    Properties javaMail() {
        return hub.context().getRegistry().lookupByNameAndType("smtpProperties", Properties.class);
    }

    @Test
    void starttlsYesRequiresStarttls() {
        start(Map.of("smtp.starttls", "yes"));

        assertThat(javaMail())
                .containsEntry("mail.smtp.starttls.enable", "true")
                .containsEntry("mail.smtp.starttls.required", "true");
    }

    @Test
    void starttlsYesNeverSendsThePasswordToAServerWithoutStarttls() throws Exception {
        // GreenMail speaks plain SMTP only: with STARTTLS required the alert must not go out at all
        int smtpPort = RunningHub.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        try {
            TestDatabase database = TestDatabase.h2InMemory();
            hub = RunningHub.start(
                    database,
                    Map.of(
                            "smtp.starttls",
                            "yes",
                            "smtp.host",
                            "127.0.0.1",
                            "smtp.port",
                            String.valueOf(smtpPort),
                            "smtp.username",
                            "ops",
                            "smtp.password",
                            "hunter2-smtp",
                            "alert.email-to",
                            "ops@example.org",
                            "alert.digest-seconds",
                            "1",
                            "smsby.tokens",
                            "tok",
                            "sink.alert.retry-initial-ms",
                            "200",
                            "sink.alert.retry-max-ms",
                            "500"));
            assertThat(hub.post(
                                    "/webhooks/smsby?token=tok",
                                    RunningHub.FORM,
                                    "channel=SMS&message_id=tls-1&status=FAILED")
                            .status())
                    .isEqualTo(200);

            await().atMost(Duration.ofSeconds(15))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'alert' AND state = 'pending' AND attempts >= 2")
                            == 1);
            assertThat(Sql.rows(database, "SELECT last_error FROM outbox WHERE sink = 'alert'"))
                    .extracting(row -> String.valueOf(row.get("last_error")))
                    .allMatch(error -> error.contains("STARTTLS"));
            assertThat(smtp.getReceivedMessages())
                    .as("mails the server received")
                    .isEmpty();
        } finally {
            smtp.stop();
        }
    }

    @Test
    void starttlsOffDoesNotRequireIt() {
        start(Map.of("smtp.starttls", "OFF"));

        assertThat(javaMail()).containsEntry("mail.smtp.starttls.required", "false");
    }

    @Test
    void aMistypedStarttlsStopsStartUpNamingTheKey() {
        assertStartRefused(
                () -> start(Map.of("smtp.starttls", "ture")),
                "SMTP_STARTTLS='ture' (smtp.starttls) is not a boolean: use true/false, yes/no, on/off, 1/0");
    }

    @Test
    void sinkEnabledAcceptsTheSameSpellings() {
        // crm is off by default without CRM_URL; "yes" turns it on (it used to read as false)
        start(Map.of("sink.crm.enabled", "yes", "sink.alert.enabled", "0"));

        Sinks sinks = new Sinks(hub.context());
        assertThat(sinks.settings("crm").enabled()).isTrue();
        assertThat(sinks.settings("alert").enabled()).isFalse();
    }

    @Test
    void aMistypedSinkSettingStopsStartUpNotTheFirstEvent() {
        assertStartRefused(
                () -> start(Map.of("sink.alert.enabled", "enable")),
                "SINK_ALERT_ENABLED='enable' (sink.alert.enabled) is not a boolean");
    }

    @Test
    void routesReloadOnTurnsReloadingOn() {
        start(Map.of("routes.reload", "on"));

        assertThat(hub.context().hasService(RouteWatcherReloadStrategy.class)).isNotNull();
    }

    @Test
    void aMistypedRoutesReloadStopsStartUpNamingTheKey() {
        assertStartRefused(
                () -> start(Map.of("routes.reload", "ture")), "ROUTES_RELOAD='ture' (routes.reload) is not a boolean");
    }

    @Test
    void numbersOnlyCamelReadsAreCheckedAtStartUp() {
        // camel.component.http.*-timeout and the timer would take "1s" or fail without naming our key
        assertStartRefused(
                () -> start(Map.of("crm.timeout-ms", "1s")), "CRM_TIMEOUT_MS='1s' (crm.timeout-ms) is not a duration");
        assertStartRefused(
                () -> start(Map.of("outbox.poll-interval-ms", "1s")),
                "OUTBOX_POLL_INTERVAL_MS='1s' (outbox.poll-interval-ms) is not a duration");
        assertStartRefused(
                () -> start(Map.of("smtp.port", "25x")), "SMTP_PORT='25x' (smtp.port) is not a whole number");
    }

    @Test
    void aBulkRateOutsideItsRangeStopsStartUpNamingIt() {
        assertStartRefused(
                () -> start(Map.of("replay.rate-per-second", "0")),
                "REPLAY_RATE_PER_SECOND (replay.rate-per-second) must be from 1 to 100000, got 0");
        assertStartRefused(
                () -> start(Map.of("backfill.rate-per-second", "fast")),
                "BACKFILL_RATE_PER_SECOND='fast' (backfill.rate-per-second) is not a whole number");
    }

    private void assertStartRefused(ThrowingCallable start, String message) {
        assertThatThrownBy(start).hasStackTraceContaining(message);
        hub = null;
    }
}
