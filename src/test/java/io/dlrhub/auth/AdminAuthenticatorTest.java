package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminAuthenticatorTest {

    private static final String TOKEN = "admin-token-0123456789abcdef";
    private static CamelContext context;

    private final AdminAuthenticator authenticator = new AdminAuthenticator(TOKEN);

    @BeforeAll
    static void createContext() {
        context = new DefaultCamelContext();
        // started, as in the application: only then are message headers case-insensitive
        context.start();
    }

    @AfterAll
    static void closeContext() throws Exception {
        context.close();
    }

    /** As platform-http delivers it: the Camel header, and the real request header in WebhookRequest. */
    private static Exchange exchange(String authorization) {
        return exchange("Authorization", authorization);
    }

    private static Exchange exchange(String headerName, String authorization) {
        Exchange exchange = new DefaultExchange(context);
        if (authorization != null) {
            exchange.getMessage().setHeader(headerName, authorization);
        }
        exchange.setProperty(WebhookRequest.PROPERTY, new WebhookRequest("GET", "/api/outbox",
                authorization == null ? Map.of() : Map.of(headerName, List.of(authorization)), null, "127.0.0.1"));
        return exchange;
    }

    private static void assertRefused(AdminAuthenticator authenticator, Exchange exchange) {
        assertThatThrownBy(() -> authenticator.authenticate(exchange))
                .isInstanceOf(UnauthenticatedException.class)
                .hasMessageNotContaining(TOKEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer ", "bearer ", "BEARER "})
    void acceptsTheBearerTokenWhateverTheCaseOfTheScheme(String prefix) {
        assertThatCode(() -> authenticator.authenticate(exchange(prefix + TOKEN))).doesNotThrowAnyException();
    }

    @Test
    void acceptsTheHeaderNameInAnyCase() {
        Exchange exchange = exchange("authorization", "Bearer " + TOKEN);

        assertThatCode(() -> authenticator.authenticate(exchange)).doesNotThrowAnyException();
    }

    @Test
    void refusesAWrongToken() {
        assertRefused(authenticator, exchange("Bearer wrong"));
        assertRefused(authenticator, exchange("Bearer " + TOKEN.substring(0, TOKEN.length() - 1)));
        assertRefused(authenticator, exchange("Bearer " + TOKEN + "x"));
        assertRefused(authenticator, exchange("Bearer "));
    }

    @Test
    void refusesAMissingHeader() {
        assertRefused(authenticator, exchange(null));
    }

    @Test
    void refusesBasicCredentials() {
        assertRefused(authenticator, exchange("Basic " + TOKEN));
        assertRefused(authenticator, exchange(TOKEN));
    }

    @Test
    void refusesEveryRequestWithoutAConfiguredToken() {
        for (String configured : new String[] {null, "", "   "}) {
            AdminAuthenticator unconfigured = new AdminAuthenticator(configured);

            assertThat(unconfigured.isConfigured()).isFalse();
            assertRefused(unconfigured, exchange("Bearer "));
            assertRefused(unconfigured, exchange("Bearer " + ""));
            assertRefused(unconfigured, exchange("Bearer    "));
            assertRefused(unconfigured, exchange("Bearer null"));
            assertRefused(unconfigured, exchange(null));
        }
    }

    @Test
    void refusesTheTokenFromAnythingButTheRealAuthorizationHeader() {
        // ?Authorization=Bearer%20<token> arrives as the same Camel header as the real one
        Exchange fromQuery = new DefaultExchange(context);
        fromQuery.getMessage().setHeader("Authorization", "Bearer " + TOKEN);
        fromQuery.setProperty(WebhookRequest.PROPERTY, new WebhookRequest("GET",
                "/api/outbox?Authorization=Bearer%20" + TOKEN, Map.of(), null, "127.0.0.1"));
        Exchange twice = new DefaultExchange(context);
        twice.setProperty(WebhookRequest.PROPERTY, new WebhookRequest("GET", "/api/outbox",
                Map.of("Authorization", List.of("Bearer " + TOKEN, "Bearer other")), null, "127.0.0.1"));

        assertRefused(authenticator, fromQuery);
        assertRefused(authenticator, twice);
    }

    @Test
    void isConfiguredWithAToken() {
        assertThat(authenticator.isConfigured()).isTrue();
    }

    @Test
    void removesTheAuthorizationHeaderAfterASuccessfulCheck() {
        Exchange exchange = exchange("Bearer " + TOKEN);

        authenticator.authenticate(exchange);

        assertThat(exchange.getMessage().getHeader("Authorization")).isNull();
    }

    @Test
    void removesTheAuthorizationHeaderAfterAFailedCheck() {
        Exchange wrong = exchange("Bearer wrong");
        Exchange unconfigured = exchange("Bearer " + TOKEN);

        assertRefused(authenticator, wrong);
        assertRefused(new AdminAuthenticator(null), unconfigured);

        assertThat(wrong.getMessage().getHeader("Authorization")).isNull();
        assertThat(unconfigured.getMessage().getHeader("Authorization")).isNull();
    }
}
