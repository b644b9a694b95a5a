package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenSchemeTest {

    private static final String FIRST = "first-token-0123456789";
    private static final String SECOND = "second-token-abcdefghij";
    private final TokenScheme scheme = new TokenScheme(List.of(FIRST, SECOND));

    private static WebhookRequest request(String uri, Map<String, List<String>> headers) {
        return new WebhookRequest("POST", uri, headers, new byte[0], "203.0.113.5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Webhook-Token", "x-webhook-token", "X-WEBHOOK-TOKEN", "x-Webhook-TOKEN"})
    void acceptsTheTokenInTheHeaderWhateverTheCaseOfTheHeaderName(String name) {
        WebhookRequest request = request("/webhooks/acme", Map.of(name, List.of(FIRST)));

        assertThatCode(() -> scheme.check(request)).doesNotThrowAnyException();
    }

    @Test
    void acceptsTheTokenInTheQueryString() {
        assertThatCode(() -> scheme.check(request("/webhooks/acme?token=" + FIRST, Map.of())))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsTheTokenAmongOtherQueryParameters() {
        assertThatCode(() -> scheme.check(request("/webhooks/acme?id=42&token=" + SECOND + "&status=ok", Map.of())))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsEachOfSeveralTokens() {
        assertThatCode(() -> scheme.check(request("/webhooks/acme?token=" + FIRST, Map.of())))
                .doesNotThrowAnyException();
        assertThatCode(() -> scheme.check(request("/webhooks/acme?token=" + SECOND, Map.of())))
                .doesNotThrowAnyException();
        assertThatCode(() -> scheme.check(request("/webhooks/acme", Map.of(TokenScheme.HEADER, List.of(SECOND)))))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsAPercentEncodedTokenInTheQuery() {
        TokenScheme withSpecials = new TokenScheme(List.of("a/b=c&d"));

        assertThatCode(() -> withSpecials.check(request("/webhooks/acme?token=a%2Fb%3Dc%26d", Map.of())))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "wrong-token",
                "first-token",
                "first-token-012345678",
                "first-token-01234567890",
                "FIRST-TOKEN-0123456789"
            })
    void refusesAWrongTokenOrAPrefixWithoutRevealingAnyToken(String presented) {
        assertRefusedWithoutLeak(request("/webhooks/acme?token=" + presented, Map.of()), presented);
        assertRefusedWithoutLeak(request("/webhooks/acme", Map.of(TokenScheme.HEADER, List.of(presented))), presented);
    }

    @Test
    void refusesAnEmptyTokenInTheQuery() {
        assertRefusedWithoutLeak(request("/webhooks/acme?token=", Map.of()), null);
        assertRefusedWithoutLeak(request("/webhooks/acme?token", Map.of()), null);
    }

    @Test
    void refusesABlankHeaderWithoutAQueryToken() {
        assertRefusedWithoutLeak(request("/webhooks/acme", Map.of(TokenScheme.HEADER, List.of("   "))), null);
        assertRefusedWithoutLeak(request("/webhooks/acme", Map.of(TokenScheme.HEADER, List.of())), null);
    }

    @Test
    void refusesARequestWithoutAnyToken() {
        assertRefusedWithoutLeak(request("/webhooks/acme", Map.of()), null);
        assertRefusedWithoutLeak(request("/webhooks/acme?other=" + FIRST, Map.of()), null);
    }

    @Test
    void refusesATokenGivenUnderAnotherHeaderName() {
        assertRefusedWithoutLeak(request("/webhooks/acme", Map.of("X-Token", List.of(FIRST))), null);
    }

    @Test
    void theHeaderTakesPrecedenceOverTheQuery() {
        WebhookRequest request =
                request("/webhooks/acme?token=" + FIRST, Map.of(TokenScheme.HEADER, List.of("wrong-token")));

        assertRefusedWithoutLeak(request, "wrong-token");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/webhooks/acme?token=%zz",
                "/webhooks/acme?token=%",
                "/webhooks/acme?token=abc%4",
                "/webhooks/acme?x=%zz&token=" + FIRST
            })
    void refusesAMalformedQueryString(String uri) {
        assertThatThrownBy(() -> scheme.check(request(uri, Map.of())))
                .isInstanceOf(UnauthenticatedException.class)
                .hasMessageNotContaining(FIRST)
                .hasMessageNotContaining(SECOND);
    }

    @Test
    void refusesAnEmptyListOfTokens() {
        assertThatThrownBy(() -> new TokenScheme(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describesItselfWithoutAToken() {
        org.assertj.core.api.Assertions.assertThat(scheme.describe())
                .doesNotContain(FIRST)
                .doesNotContain(SECOND);
    }

    private void assertRefusedWithoutLeak(WebhookRequest request, String presented) {
        var thrown = assertThatThrownBy(() -> scheme.check(request))
                .isInstanceOf(UnauthenticatedException.class)
                .hasMessageNotContaining(FIRST)
                .hasMessageNotContaining(SECOND);
        if (presented != null) {
            thrown.hasMessageNotContaining(presented);
        }
    }
}
