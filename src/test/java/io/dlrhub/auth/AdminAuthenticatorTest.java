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
        exchange.setProperty(
                WebhookRequest.PROPERTY,
                new WebhookRequest(
                        "GET",
                        "/api/outbox",
                        authorization == null ? Map.of() : Map.of(headerName, List.of(authorization)),
                        null,
                        "127.0.0.1"));
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
        assertThatCode(() -> authenticator.authenticate(exchange(prefix + TOKEN)))
                .doesNotThrowAnyException();
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
        fromQuery.setProperty(
                WebhookRequest.PROPERTY,
                new WebhookRequest("GET", "/api/outbox?Authorization=Bearer%20" + TOKEN, Map.of(), null, "127.0.0.1"));
        Exchange twice = new DefaultExchange(context);
        twice.setProperty(
                WebhookRequest.PROPERTY,
                new WebhookRequest(
                        "GET",
                        "/api/outbox",
                        Map.of("Authorization", List.of("Bearer " + TOKEN, "Bearer other")),
                        null,
                        "127.0.0.1"));

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

    // ---- console sessions ----------------------------------------------------------------------

    private final ConsoleSessions sessions = new ConsoleSessions(
            java.time.Clock.systemUTC(), java.time.Duration.ofMinutes(30), java.time.Duration.ofHours(12), 100);
    private final AdminAuthenticator console = new AdminAuthenticator(TOKEN, sessions);

    /** A request of a browser: method, path and its raw headers (name, value, name, value...). */
    private static Exchange browser(String method, String uri, String... headers) {
        Map<String, List<String>> map = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < headers.length; i += 2) {
            map.computeIfAbsent(headers[i], name -> new java.util.ArrayList<>()).add(headers[i + 1]);
        }
        Exchange exchange = new DefaultExchange(context);
        exchange.setProperty(WebhookRequest.PROPERTY, new WebhookRequest(method, uri, map, null, "127.0.0.1"));
        return exchange;
    }

    private static String cookie(ConsoleSessions.Session session) {
        return "theme=dark; " + AdminAuthenticator.SESSION_COOKIE + "=" + session.id();
    }

    @Test
    void aSignedInSessionReadsTheApiWithItsCookieAlone() {
        ConsoleSessions.Session session = console.signIn(TOKEN).orElseThrow();
        Exchange read = browser("GET", "/api/outbox", "Cookie", cookie(session));

        console.authenticate(read);

        assertThat(AdminAuthenticator.principal(read)).isEqualTo(AdminAuthenticator.CONSOLE);
    }

    @Test
    void theBearerTokenIsNamedAsTheCaller() {
        Exchange exchange = exchange("Bearer " + TOKEN);

        console.authenticate(exchange);

        assertThat(AdminAuthenticator.principal(exchange)).isEqualTo(AdminAuthenticator.ADMIN_TOKEN);
    }

    @Test
    void signInTakesOnlyTheAdminToken() {
        assertThat(console.signIn("wrong")).isEmpty();
        assertThat(console.signIn(TOKEN + " ")).isEmpty();
        assertThat(console.signIn(null)).isEmpty();
        assertThat(new AdminAuthenticator(null, sessions).signIn("")).isEmpty();
        assertThat(new AdminAuthenticator(TOKEN).signIn(TOKEN))
                .as("no console sessions")
                .isEmpty();
        assertThat(console.signIn(TOKEN)).isPresent();
    }

    @Test
    void aStateChangingRequestOfASessionNeedsItsCsrfToken() {
        ConsoleSessions.Session session = console.signIn(TOKEN).orElseThrow();
        ConsoleSessions.Session other = console.signIn(TOKEN).orElseThrow();

        for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
            assertThatThrownBy(() ->
                            console.authenticate(browser(method, "/api/outbox/1/replay", "Cookie", cookie(session))))
                    .isInstanceOf(ForbiddenException.class);
            assertThatThrownBy(() -> console.authenticate(browser(
                            method,
                            "/api/outbox/1/replay",
                            "Cookie",
                            cookie(session),
                            AdminAuthenticator.CSRF_HEADER,
                            other.csrfToken())))
                    .as("another session's token")
                    .isInstanceOf(ForbiddenException.class);
        }
        // the token in the query string is not the header
        assertThatThrownBy(() -> console.authenticate(browser(
                        "POST", "/api/outbox/1/replay?X-CSRF-Token=" + session.csrfToken(), "Cookie", cookie(session))))
                .isInstanceOf(ForbiddenException.class);
        assertThatCode(() -> console.authenticate(browser(
                        "POST",
                        "/api/outbox/1/replay",
                        "Cookie",
                        cookie(session),
                        AdminAuthenticator.CSRF_HEADER,
                        session.csrfToken(),
                        "Origin",
                        "http://127.0.0.1:9876",
                        "Host",
                        "127.0.0.1:9876",
                        "Sec-Fetch-Site",
                        "same-origin")))
                .doesNotThrowAnyException();
    }

    @Test
    void aStateChangingRequestFromAnotherSiteIsRefusedEvenWithTheCsrfToken() {
        ConsoleSessions.Session session = console.signIn(TOKEN).orElseThrow();
        String[] own = {
            "Cookie", cookie(session), AdminAuthenticator.CSRF_HEADER, session.csrfToken(), "Host", "127.0.0.1:9876"
        };

        for (String[] foreign : List.of(
                new String[] {"Sec-Fetch-Site", "cross-site"},
                new String[] {"Sec-Fetch-Site", "same-site"},
                new String[] {"Origin", "http://evil.example"},
                new String[] {"Origin", "null"},
                new String[] {"Origin", "http://127.0.0.1:9877"},
                new String[] {"Origin", "http://127.0.0.1:9876.evil.example"})) {
            String[] headers = java.util.stream.Stream.concat(
                            java.util.Arrays.stream(own), java.util.Arrays.stream(foreign))
                    .toArray(String[]::new);
            assertThatThrownBy(() -> console.authenticate(browser("POST", "/api/replays", headers)))
                    .as(String.join(": ", foreign))
                    .isInstanceOf(ForbiddenException.class);
        }
    }

    @Test
    void aRequestThatNamesABearerTokenIsJudgedByItWhateverCookieItCarries() {
        ConsoleSessions.Session session = console.signIn(TOKEN).orElseThrow();

        assertRefused(
                console, browser("GET", "/api/outbox", "Authorization", "Bearer wrong", "Cookie", cookie(session)));
    }

    @Test
    void refusesAnEndedUnknownOrTwiceGivenSession() {
        ConsoleSessions.Session session = console.signIn(TOKEN).orElseThrow();
        ConsoleSessions.Session ended = console.signIn(TOKEN).orElseThrow();
        console.signOut(ended);

        assertRefused(console, browser("GET", "/api/outbox", "Cookie", cookie(ended)));
        assertRefused(console, browser("GET", "/api/outbox", "Cookie", AdminAuthenticator.SESSION_COOKIE + "=guessed"));
        assertRefused(
                console,
                browser(
                        "GET",
                        "/api/outbox",
                        "Cookie",
                        cookie(session) + "; " + AdminAuthenticator.SESSION_COOKIE + "=other"));
        assertRefused(console, browser("GET", "/api/outbox", "Cookie", cookie(session), "Cookie", cookie(session)));
        assertRefused(console, browser("GET", "/api/outbox?" + AdminAuthenticator.SESSION_COOKIE + "=" + session.id()));
        assertRefused(new AdminAuthenticator(TOKEN), browser("GET", "/api/outbox", "Cookie", cookie(session)));
    }

    @Test
    void noSessionCountsOnceTheAdminTokenIsGone() {
        ConsoleSessions.Session session = sessions.open();

        assertRefused(new AdminAuthenticator("", sessions), browser("GET", "/api/outbox", "Cookie", cookie(session)));
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictForTheWholeHostAndSecureOverTls() {
        ConsoleSessions.Session session = sessions.open();

        assertThat(AdminAuthenticator.sessionCookie(session, false))
                .isEqualTo("dlrhub_console=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict");
        assertThat(AdminAuthenticator.sessionCookie(session, true)).endsWith("; Secure");
        assertThat(AdminAuthenticator.clearedCookie(false))
                .contains("Max-Age=0")
                .doesNotContain(session.id());
    }
}
