package io.dlrhub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one rule every typed setting is read by. */
class SettingValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"true", "TRUE", "True", "yes", "YES", "Yes", "on", "ON", "On", "1", " yes "})
    void trueYesOnAnd1AreTrueInAnyCase(String value) {
        assertThat(SettingValues.toBoolean("smtp.starttls", value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"false", "FALSE", "False", "no", "NO", "No", "off", "OFF", "Off", "0", " off "})
    void falseNoOffAnd0AreFalseInAnyCase(String value) {
        assertThat(SettingValues.toBoolean("smtp.starttls", value)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ture", "", "2", "enable", "enabled", "y", "n", "t", "-1", "true!"})
    void otherBooleansAreRefusedNamingTheKeyAndTheAcceptedValues(String value) {
        assertThatThrownBy(() -> SettingValues.toBoolean("smtp.starttls", value))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("SMTP_STARTTLS='" + value
                        + "' (smtp.starttls) is not a boolean: use true/false, yes/no, on/off, 1/0");
    }

    @Test
    void wholeNumbersAreReadAndAnythingElseIsRefusedNamingTheKey() {
        assertThat(SettingValues.toWholeNumber("db.pool-size", "10")).isEqualTo(10);
        assertThat(SettingValues.toWholeNumber("db.pool-size", " 10 ")).isEqualTo(10);
        assertThat(SettingValues.toWholeNumber("rate-limit-per-second", "-1")).isEqualTo(-1);
        for (String refused : new String[] {"10k", "1e4", "1.5", "+5", "", "ten", "99999999999999999999"}) {
            assertThatThrownBy(() -> SettingValues.toWholeNumber("db.pool-size", refused))
                    .as(refused)
                    .hasMessage("DB_POOL_SIZE='" + refused + "' (db.pool-size) is not a whole number");
        }
    }

    @Test
    void durationsAreWholeNumbersOfTheKeysUnitAndNeverNegative() {
        assertThat(SettingValues.toDuration("crm.timeout-ms", "10000")).isEqualTo(10_000);
        assertThat(SettingValues.toDuration("alert.digest-seconds", "0")).isZero();
        assertThatThrownBy(() -> SettingValues.toDuration("crm.timeout-ms", "10s"))
                .hasMessage(
                        "CRM_TIMEOUT_MS='10s' (crm.timeout-ms) is not a duration: use a whole number of milliseconds, 0 or more");
        assertThatThrownBy(() -> SettingValues.toDuration("alert.digest-seconds", "-5"))
                .hasMessage(
                        "ALERT_DIGEST_SECONDS='-5' (alert.digest-seconds) is not a duration: use a whole number of seconds, 0 or more");
    }

    @Test
    void theValueOfASecretKeyIsNeverRepeated() {
        for (String key : new String[] {"smtp.password", "admin.token", "crm.signing-secret", "db.url"}) {
            assertThatThrownBy(() -> SettingValues.toBoolean(key, "hunter2-sekrit"))
                    .as(key)
                    .hasMessageContaining(SettingValues.environmentName(key))
                    .hasMessageContaining("(value hidden)")
                    .hasMessageNotContaining("hunter2");
            assertThatThrownBy(() -> SettingValues.toWholeNumber(key, "hunter2-sekrit"))
                    .as(key)
                    .hasMessageNotContaining("hunter2");
        }
    }

    @Test
    void theEnvironmentVariableIsTheKeyInUpperCaseWithUnderscores() {
        assertThat(SettingValues.environmentName("max-body-bytes")).isEqualTo("MAX_BODY_BYTES");
        assertThat(SettingValues.environmentName("sink.crm.enabled")).isEqualTo("SINK_CRM_ENABLED");
    }
}
