package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import io.dlrhub.outbox.Sinks;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
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

        assertThat(javaMail()).containsEntry("mail.smtp.starttls.enable", "true")
                .containsEntry("mail.smtp.starttls.required", "true");
    }

    @Test
    void starttlsOffDoesNotRequireIt() {
        start(Map.of("smtp.starttls", "OFF"));

        assertThat(javaMail()).containsEntry("mail.smtp.starttls.required", "false");
    }

    @Test
    void aMistypedStarttlsStopsStartUpNamingTheKey() {
        assertStartRefused(() -> start(Map.of("smtp.starttls", "ture")),
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
        assertStartRefused(() -> start(Map.of("sink.alert.enabled", "enable")),
                "SINK_ALERT_ENABLED='enable' (sink.alert.enabled) is not a boolean");
    }

    @Test
    void routesReloadOnTurnsReloadingOn() {
        start(Map.of("routes.reload", "on"));

        assertThat(hub.context().hasService(RouteWatcherReloadStrategy.class)).isNotNull();
    }

    @Test
    void aMistypedRoutesReloadStopsStartUpNamingTheKey() {
        assertStartRefused(() -> start(Map.of("routes.reload", "ture")), "ROUTES_RELOAD='ture' (routes.reload) is not a boolean");
    }

    @Test
    void numbersOnlyCamelReadsAreCheckedAtStartUp() {
        // camel.component.http.*-timeout and the timer would take "1s" or fail without naming our key
        assertStartRefused(() -> start(Map.of("crm.timeout-ms", "1s")),
                "CRM_TIMEOUT_MS='1s' (crm.timeout-ms) is not a duration");
        assertStartRefused(() -> start(Map.of("outbox.poll-interval-ms", "1s")),
                "OUTBOX_POLL_INTERVAL_MS='1s' (outbox.poll-interval-ms) is not a duration");
        assertStartRefused(() -> start(Map.of("smtp.port", "25x")), "SMTP_PORT='25x' (smtp.port) is not a whole number");
    }

    private void assertStartRefused(ThrowingCallable start, String message) {
        assertThatThrownBy(start).hasStackTraceContaining(message);
        hub = null;
    }
}
