package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BasicSchemeTest {

    private static final String USER = "acme";
    private static final String PASSWORD = "s3cret-Pa55";
    private final BasicScheme scheme = new BasicScheme(USER, PASSWORD);

    private static String basic(String credentials) {
        return Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static WebhookRequest withAuthorization(String value) {
        return new WebhookRequest(
                "POST", "/webhooks/acme", Map.of("Authorization", List.of(value)), new byte[0], "203.0.113.5");
    }

    private void assertRefused(WebhookRequest request) {
        assertThatThrownBy(() -> scheme.check(request))
                .isInstanceOf(UnauthenticatedException.class)
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void acceptsTheRightCredentials() {
        assertThatCode(() -> scheme.check(withAuthorization("Basic " + basic(USER + ":" + PASSWORD))))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"basic ", "BASIC ", "bAsIc "})
    void acceptsTheSchemeNameInAnyCase(String prefix) {
        assertThatCode(() -> scheme.check(withAuthorization(prefix + basic(USER + ":" + PASSWORD))))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsTheHeaderNameInAnyCase() {
        WebhookRequest request = new WebhookRequest(
                "POST",
                "/webhooks/acme",
                Map.of("authorization", List.of("Basic " + basic(USER + ":" + PASSWORD))),
                null,
                "203.0.113.5");

        assertThatCode(() -> scheme.check(request)).doesNotThrowAnyException();
    }

    @Test
    void acceptsAPasswordContainingAColonBySplittingOnTheFirstColon() {
        BasicScheme colonPassword = new BasicScheme("acme", "pa:ss:word");

        assertThatCode(() -> colonPassword.check(withAuthorization("Basic " + basic("acme:pa:ss:word"))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> colonPassword.check(withAuthorization("Basic " + basic("acme:pa"))))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void refusesAWrongUser() {
        assertRefused(withAuthorization("Basic " + basic("other:" + PASSWORD)));
    }

    @Test
    void refusesAWrongPassword() {
        assertRefused(withAuthorization("Basic " + basic(USER + ":wrong")));
        assertRefused(withAuthorization("Basic " + basic(USER + ":" + PASSWORD.substring(1))));
        assertRefused(withAuthorization("Basic " + basic(USER + ":" + PASSWORD + "x")));
    }

    @Test
    void refusesEmptyCredentials() {
        assertRefused(withAuthorization("Basic " + basic(":")));
        assertRefused(withAuthorization("Basic " + basic(USER + ":")));
        assertRefused(withAuthorization("Basic "));
    }

    @Test
    void refusesCredentialsWithoutAColon() {
        assertRefused(withAuthorization("Basic " + basic(USER + PASSWORD)));
        assertRefused(withAuthorization("Basic " + basic(USER)));
    }

    @Test
    void refusesAValueThatIsNotBase64() {
        assertRefused(withAuthorization("Basic not*base64!"));
        assertRefused(withAuthorization("Basic " + USER + ":" + PASSWORD));
    }

    @Test
    void refusesBearerInsteadOfBasic() {
        assertRefused(withAuthorization("Bearer " + basic(USER + ":" + PASSWORD)));
        assertRefused(withAuthorization("Bearer " + PASSWORD));
    }

    @Test
    void refusesTheCredentialsWithoutTheSchemeName() {
        assertRefused(withAuthorization(basic(USER + ":" + PASSWORD)));
    }

    @Test
    void refusesAMissingHeader() {
        assertRefused(new WebhookRequest("POST", "/webhooks/acme", Map.of(), new byte[0], "203.0.113.5"));
    }

    @Test
    void refusesAMissingUserOrPasswordAtConstruction() {
        assertThatThrownBy(() -> new BasicScheme(null, PASSWORD)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BasicScheme("", PASSWORD)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BasicScheme(USER, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BasicScheme(USER, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BasicScheme(null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
