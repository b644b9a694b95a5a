package io.dlrhub.outbox;

import static io.dlrhub.event.CanonicalStatus.DELIVERED;
import static io.dlrhub.event.CanonicalStatus.FAILED;
import static io.dlrhub.event.CanonicalStatus.READ;
import static io.dlrhub.event.CanonicalStatus.SENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dlrhub.Settings;
import io.dlrhub.event.CanonicalStatus;
import java.time.Duration;
import java.util.Properties;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SinkSettingsTest {

    private DefaultCamelContext context;

    private SinkSettings read(String name, String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context = new DefaultCamelContext();
        context.getPropertiesComponent().setInitialProperties(properties);
        return SinkSettings.read(name, new Settings(context));
    }

    @AfterEach
    void close() throws Exception {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void aSinkWithoutSettingsIsEnabledForEveryStatusWithoutDigestAndWithTheDefaultRetries() {
        SinkSettings sink = read("alert");

        assertThat(sink.name()).isEqualTo("alert");
        assertThat(sink.enabled()).isTrue();
        assertThat(sink.statuses()).isEmpty();
        for (CanonicalStatus status : CanonicalStatus.values()) {
            assertThat(sink.wants(status)).as(status.name()).isTrue();
        }
        assertThat(sink.digest()).isZero();
        assertThat(sink.isDigest()).isFalse();
        assertThat(sink.maxAttempts()).isEqualTo(15);
        assertThat(sink.retry()).isEqualTo(new RetryPolicy(Duration.ofMillis(1000), Duration.ofMillis(600_000)));
    }

    @Test
    void crmIsDisabledWithoutAUrl() {
        SinkSettings crm = read("crm");

        assertThat(crm.enabled()).isFalse();
        assertThat(crm.wants(FAILED)).isFalse();
    }

    @Test
    void crmIsEnabledWithAUrl() {
        assertThat(read("crm", "crm.url", "https://crm.example/hook").enabled()).isTrue();
    }

    @Test
    void crmWithABlankUrlIsDisabled() {
        assertThat(read("crm", "crm.url", "  ").enabled()).isFalse();
    }

    @Test
    void aSinkCanBeDisabled() {
        SinkSettings alert = read("alert", "sink.alert.enabled", "false");

        assertThat(alert.enabled()).isFalse();
        assertThat(alert.wants(FAILED)).isFalse();
        assertThat(read("crm", "crm.url", "https://crm.example", "sink.crm.enabled", "false")
                        .enabled())
                .isFalse();
    }

    @Test
    void statusesAreParsedCaseInsensitively() {
        SinkSettings sink = read("alert", "sink.alert.statuses", "failed, DELIVERED");

        assertThat(sink.statuses()).containsExactlyInAnyOrder(FAILED, DELIVERED);
        assertThat(sink.wants(FAILED)).isTrue();
        assertThat(sink.wants(DELIVERED)).isTrue();
        assertThat(sink.wants(SENT)).isFalse();
        assertThat(sink.wants(READ)).isFalse();
    }

    @Test
    void anUnknownStatusIsRejected() {
        assertThatThrownBy(() -> read("alert", "sink.alert.statuses", "failed, bounced"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void digestSecondsMakeTheSinkSendDigestsOfThatWindow() {
        SinkSettings sink = read("alert", "sink.alert.digest-seconds", "300");

        assertThat(sink.digest()).isEqualTo(Duration.ofMinutes(5));
        assertThat(sink.isDigest()).isTrue();
    }

    @Test
    void outboxDefaultsApplyWhenTheSinkHasNoOwnSetting() {
        SinkSettings sink = read(
                "alert", "outbox.max-attempts", "5", "outbox.retry-initial-ms", "250", "outbox.retry-max-ms", "30000");

        assertThat(sink.maxAttempts()).isEqualTo(5);
        assertThat(sink.retry()).isEqualTo(new RetryPolicy(Duration.ofMillis(250), Duration.ofMillis(30_000)));
    }

    @Test
    void sinkSettingsOverrideOutboxDefaults() {
        SinkSettings sink = read(
                "alert",
                "outbox.max-attempts",
                "5",
                "outbox.retry-initial-ms",
                "250",
                "outbox.retry-max-ms",
                "30000",
                "sink.alert.max-attempts",
                "7",
                "sink.alert.retry-initial-ms",
                "100",
                "sink.alert.retry-max-ms",
                "2000");

        assertThat(sink.maxAttempts()).isEqualTo(7);
        assertThat(sink.retry()).isEqualTo(new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(2000)));
    }

    @Test
    void deliveriesAreExhaustedFromTheMaxAttemptOn() {
        SinkSettings sink = read("alert", "sink.alert.max-attempts", "3");

        assertThat(sink.isExhausted(2)).isFalse();
        assertThat(sink.isExhausted(3)).isTrue();
        assertThat(sink.isExhausted(4)).isTrue();
    }

    @Test
    void zeroMaxAttemptsRetriesForEver() {
        SinkSettings sink = read("alert", "sink.alert.max-attempts", "0");

        assertThat(sink.isExhausted(1)).isFalse();
        assertThat(sink.isExhausted(1_000_000)).isFalse();
        assertThat(sink.isExhausted(Integer.MAX_VALUE)).isFalse();
    }
}
