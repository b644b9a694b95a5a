package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void equalSecretsAreEqual() {
        assertThat(Secrets.constantTimeEquals("s3cret-token", new String("s3cret-token")))
                .isTrue();
    }

    @Test
    void differentSecretsAreNotEqual() {
        assertThat(Secrets.constantTimeEquals("s3cret-token", "s3cret-tokeN")).isFalse();
    }

    @Test
    void secretsOfDifferentLengthAreNotEqual() {
        assertThat(Secrets.constantTimeEquals("s3cret-token", "s3cret-token-and-more"))
                .isFalse();
    }

    @Test
    void aPrefixIsNotEqual() {
        assertThat(Secrets.constantTimeEquals("s3cret", "s3cret-token")).isFalse();
        assertThat(Secrets.constantTimeEquals("", "s3cret-token")).isFalse();
    }

    @Test
    void nullIsNeverEqual() {
        assertThat(Secrets.constantTimeEquals(null, "s3cret-token")).isFalse();
        assertThat(Secrets.constantTimeEquals("s3cret-token", null)).isFalse();
        assertThat(Secrets.constantTimeEquals(null, null)).isFalse();
    }

    @Test
    void randomTokenIsUrlSafeBase64OfAtLeast43Characters() {
        assertThat(Secrets.randomToken()).matches("[A-Za-z0-9_-]{43,}");
    }

    @Test
    void randomTokensDiffer() {
        assertThat(Secrets.randomToken()).isNotEqualTo(Secrets.randomToken());
    }
}
