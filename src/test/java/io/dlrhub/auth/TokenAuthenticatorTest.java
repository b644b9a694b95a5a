package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenAuthenticatorTest {

    private static final String FIRST = "first-token-Zq8dX1vL0aWmT4";
    private static final String SECOND = "second-token-Pp3Rk7Yh2sNc9";

    private static CamelContext context;

    private final TokenAuthenticator authenticator = new TokenAuthenticator(
            provider -> provider.equals("acme") ? List.of(FIRST, SECOND) : List.of(), "http://localhost:8080/");

    @BeforeAll
    static void createContext() {
        context = new DefaultCamelContext();
    }

    @AfterAll
    static void closeContext() throws Exception {
        context.close();
    }

    private static Exchange withHeader(String token) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(TokenAuthenticator.TOKEN_HEADER, token);
        return exchange;
    }

    private static Exchange withQuery(String rawQuery) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Exchange.HTTP_RAW_QUERY, rawQuery);
        return exchange;
    }

    private UnauthenticatedException refused(String provider, Exchange exchange) {
        return catchThrowableOfType(UnauthenticatedException.class,
                () -> authenticator.authenticate(provider, exchange));
    }

    @ParameterizedTest
    @ValueSource(strings = { FIRST, SECOND })
    void eachConfiguredTokenIsAcceptedInTheHeader(String token) {
        assertThatCode(() -> authenticator.authenticate("acme", withHeader(token))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = { FIRST, SECOND })
    void eachConfiguredTokenIsAcceptedInTheQuery(String token) {
        assertThatCode(() -> authenticator.authenticate("acme", withQuery("a=1&token=" + token)))
                .doesNotThrowAnyException();
    }

    @Test
    void aWrongTokenIsRefusedWithoutRevealingAnyToken() {
        UnauthenticatedException e = refused("acme", withHeader("guessed-token"));

        assertThat(e.getMessage()).doesNotContain(FIRST, SECOND, "guessed-token");
    }

    @Test
    void aPrefixOfAValidTokenIsRefused() {
        String prefix = FIRST.substring(0, 10);

        UnauthenticatedException e = refused("acme", withQuery("token=" + prefix));

        assertThat(e.getMessage()).doesNotContain(FIRST, SECOND, prefix);
    }

    @Test
    void aMissingTokenIsRefused() {
        assertThat(refused("acme", withQuery("a=1")).getMessage()).doesNotContain(FIRST, SECOND);
        assertThat(refused("acme", new DefaultExchange(context)).getMessage()).doesNotContain(FIRST, SECOND);
    }

    @Test
    void aTokenOfAnotherProviderIsRefused() {
        assertThat(refused("other", withHeader(FIRST))).isNotNull();
    }

    @Test
    void aMalformedQueryIsUnauthenticatedNotABadArgument() {
        assertThat(refused("acme", withQuery("token=%zz"))).isNotNull();
    }

    @Test
    void tokenHeadersAreRemovedAfterAuthentication() {
        Exchange exchange = withQuery("token=" + FIRST);
        exchange.getMessage().setHeader(TokenAuthenticator.TOKEN_HEADER, SECOND);
        exchange.getMessage().setHeader(TokenAuthenticator.TOKEN_PARAMETER, FIRST);

        authenticator.authenticate("acme", exchange);

        assertThat(exchange.getMessage().getHeaders())
                .doesNotContainKeys(TokenAuthenticator.TOKEN_HEADER, TokenAuthenticator.TOKEN_PARAMETER);
    }

    @Test
    void tokenHeadersAreRemovedWhenTheTokenIsRefused() {
        Exchange exchange = withHeader("guessed-token");
        exchange.getMessage().setHeader(TokenAuthenticator.TOKEN_PARAMETER, "guessed-token");

        refused("acme", exchange);

        assertThat(exchange.getMessage().getHeaders())
                .doesNotContainKeys(TokenAuthenticator.TOKEN_HEADER, TokenAuthenticator.TOKEN_PARAMETER);
    }

    @Test
    void withoutConfiguredTokensOneIsGeneratedAndKept() {
        List<String> tokens = authenticator.tokensOf("newcomer");

        assertThat(tokens).hasSize(1);
        assertThat(tokens.get(0)).matches("[A-Za-z0-9_-]{43,}");
        assertThat(authenticator.tokensOf("newcomer")).isEqualTo(tokens);
    }

    @Test
    void theGeneratedTokenAuthenticates() {
        String generated = authenticator.tokensOf("newcomer").get(0);

        assertThatCode(() -> authenticator.authenticate("newcomer", withQuery("token=" + generated)))
                .doesNotThrowAnyException();
        assertThat(refused("newcomer", withHeader(FIRST))).isNotNull();
    }
}
