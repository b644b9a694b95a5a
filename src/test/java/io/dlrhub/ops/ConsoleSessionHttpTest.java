package io.dlrhub.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The console's sign-in, session and CSRF rules over real HTTP, as a browser (or an attacker's
 * page in one) would send the requests: what answers, which cookie, which headers.
 */
class ConsoleSessionHttpTest {

    private static final String ADMIN = "console-http-admin-token-0123456789";
    private RunningHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    private void start(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("admin.token", ADMIN));
        all.putAll(settings);
        hub = RunningHub.start(TestDatabase.h2InMemory(), all);
    }

    private String origin() {
        return "http://127.0.0.1:" + hub.managementPort();
    }

    private Reply send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.managementUri(path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return hub.send(request.build());
    }

    /** Signs in as the browser does (a form POST from the sign-in page); the cookie's name=value. */
    private String signIn() {
        Reply reply = send(
                "POST",
                "/console/sign-in",
                "token=" + ADMIN,
                "Content-Type",
                RunningHub.FORM,
                "Origin",
                origin(),
                "Sec-Fetch-Site",
                "same-origin");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(303);
        return reply.raw().headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    }

    private String csrf(String cookie) {
        return send("GET", "/console/session", null, "Cookie", cookie).field("csrf_token");
    }

    @Test
    void pagesNeedASessionAndSigningInGivesAStrictHttpOnlyCookie() {
        start(Map.of());
        for (String page :
                List.of("/console", "/console/search", "/console/message", "/console/dead-letters", "/console/sinks")) {
            Reply signedOut = send("GET", page, null);
            assertThat(signedOut.status()).as(page).isEqualTo(303);
            assertThat(signedOut.raw().headers().firstValue("Location")).contains("/console/sign-in");
        }
        Reply wrong = send("POST", "/console/sign-in", "token=wrong-" + ADMIN, "Content-Type", RunningHub.FORM);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.body()).contains("That is not the admin token.").doesNotContain("wrong-" + ADMIN);
        assertThat(wrong.raw().headers().firstValue("Set-Cookie")).isEmpty();

        Reply right =
                send("POST", "/console/sign-in", "token=" + ADMIN, "Content-Type", RunningHub.FORM, "Origin", origin());
        assertThat(right.status()).isEqualTo(303);
        assertThat(right.raw().headers().firstValue("Location")).contains("/console");
        String setCookie = right.raw().headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).matches("dlrhub_console=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict");
        String cookie = setCookie.split(";", 2)[0];

        for (String page :
                List.of("/console", "/console/search", "/console/message", "/console/dead-letters", "/console/sinks")) {
            Reply signedIn = send("GET", page, null, "Cookie", cookie);
            assertThat(signedIn.status()).as(page).isEqualTo(200);
            assertThat(signedIn.raw().headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            // no secret in a page: not the token, not the session id, not the CSRF token
            assertThat(signedIn.body())
                    .doesNotContain(ADMIN)
                    .doesNotContain(cookie.substring(cookie.indexOf('=') + 1))
                    .doesNotContain(csrf(cookie))
                    .contains("/console/assets/console.js");
        }
    }

    @Test
    void theCookieIsSecureWhenTheSettingSaysTheConsoleIsServedOverHttps() {
        start(Map.of("console.cookie-secure", "true"));

        Reply reply = send("POST", "/console/sign-in", "token=" + ADMIN, "Content-Type", RunningHub.FORM);

        assertThat(reply.raw().headers().firstValue("Set-Cookie").orElseThrow()).endsWith("; Secure");
    }

    @Test
    void signingInFromAnotherSiteIsRefused() {
        start(Map.of());
        for (String[] foreign : List.of(
                new String[] {"Origin", "http://evil.example"},
                new String[] {"Sec-Fetch-Site", "cross-site"},
                new String[] {"Origin", "null"})) {
            Reply reply = send(
                    "POST",
                    "/console/sign-in",
                    "token=" + ADMIN,
                    "Content-Type",
                    RunningHub.FORM,
                    foreign[0],
                    foreign[1]);
            assertThat(reply.status()).as(foreign[1]).isEqualTo(403);
            assertThat(reply.raw().headers().firstValue("Set-Cookie")).isEmpty();
        }
    }

    @Test
    void theApiTakesTheSessionForReadingAndItsCsrfTokenFromThisOriginForActing() {
        start(Map.of());
        String cookie = signIn();
        String csrf = csrf(cookie);
        assertThat(csrf).hasSize(43);

        assertThat(send("GET", "/api/outbox?state=dead", null, "Cookie", cookie).status())
                .isEqualTo(200);
        assertThat(send("GET", "/api/overview", null, "Cookie", cookie).status())
                .isEqualTo(200);
        Reply noToken = send("POST", "/api/outbox/7/replay", null, "Cookie", cookie);
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.field("error")).isEqualTo("forbidden");
        assertThat(send("POST", "/api/outbox/7/replay", null, "Cookie", cookie, "X-CSRF-Token", "x" + csrf)
                        .status())
                .isEqualTo(403);
        assertThat(send(
                                "POST",
                                "/api/outbox/7/replay",
                                null,
                                "Cookie",
                                cookie,
                                "X-CSRF-Token",
                                csrf,
                                "Origin",
                                "http://evil.example")
                        .status())
                .isEqualTo(403);
        assertThat(send(
                                "POST",
                                "/api/outbox/7/replay",
                                null,
                                "Cookie",
                                cookie,
                                "X-CSRF-Token",
                                csrf,
                                "Sec-Fetch-Site",
                                "cross-site")
                        .status())
                .isEqualTo(403);
        // through: no such dead delivery
        Reply allowed = send(
                "POST",
                "/api/outbox/7/replay",
                null,
                "Cookie",
                cookie,
                "X-CSRF-Token",
                csrf,
                "Origin",
                origin(),
                "Sec-Fetch-Site",
                "same-origin");
        assertThat(allowed.status()).as(allowed.toString()).isEqualTo(404);
        // the bearer token works as before, with no cookie and no CSRF token
        assertThat(hub.admin("POST", "/api/outbox/7/replay", ADMIN).status()).isEqualTo(404);
        assertThat(hub.admin("GET", "/api/overview", ADMIN).status()).isEqualTo(200);
    }

    @Test
    void signingOutNeedsTheCsrfTokenAndEndsTheSessionForEveryone() {
        start(Map.of());
        String cookie = signIn();
        String csrf = csrf(cookie);

        Reply forged = send("POST", "/console/sign-out", "", "Cookie", cookie, "Content-Type", RunningHub.FORM);
        assertThat(forged.status()).isEqualTo(403);
        assertThat(send("GET", "/api/outbox", null, "Cookie", cookie).status())
                .as("still signed in")
                .isEqualTo(200);

        Reply out = send(
                "POST",
                "/console/sign-out",
                "csrf_token=" + csrf,
                "Cookie",
                cookie,
                "Content-Type",
                RunningHub.FORM,
                "Origin",
                origin());
        assertThat(out.status()).isEqualTo(303);
        assertThat(out.raw().headers().firstValue("Location")).contains("/console/sign-in?signed-out");
        assertThat(out.raw().headers().firstValue("Set-Cookie").orElseThrow())
                .startsWith("dlrhub_console=;")
                .contains("Max-Age=0");

        Reply after = send("GET", "/api/outbox", null, "Cookie", cookie);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.field("message")).contains("sign in again");
        assertThat(send("GET", "/console", null, "Cookie", cookie).status()).isEqualTo(303);
        assertThat(send("GET", "/console/session", null, "Cookie", cookie).status())
                .isEqualTo(401);
    }

    @Test
    void withoutAnAdminTokenTheConsoleIsOff() {
        start(Map.of("admin.token", ""));

        Reply page = send("GET", "/console/sign-in", null);
        Reply signIn = send("POST", "/console/sign-in", "token=", "Content-Type", RunningHub.FORM);

        assertThat(page.body()).contains("The console is off until ADMIN_TOKEN is set.");
        assertThat(signIn.status()).isEqualTo(401);
        assertThat(signIn.raw().headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void everyManagementAnswerForbidsFramingInlineScriptAndCaching() {
        start(Map.of());
        String cookie = signIn();
        List<Reply> answers = new ArrayList<>();
        answers.add(send("GET", "/console/sign-in", null));
        answers.add(send("GET", "/console", null, "Cookie", cookie));
        answers.add(send("GET", "/console/assets/console.js", null));
        answers.add(send("GET", "/api/overview", null, "Cookie", cookie));
        answers.add(send("GET", "/api/outbox", null, "Cookie", cookie));
        answers.add(send("GET", "/api/outbox", null));
        answers.add(send("GET", "/api/no-such-thing", null));
        for (Reply answer : answers) {
            var headers = answer.raw().headers();
            assertThat(headers.firstValue("Content-Security-Policy"))
                    .as(answer.raw().uri().toString())
                    .hasValueSatisfying(csp -> assertThat(csp)
                            .startsWith("default-src 'none'; script-src 'self'; style-src 'self';")
                            .doesNotContain("unsafe-inline")
                            .contains("frame-ancestors 'none'"));
            assertThat(headers.firstValue("X-Frame-Options")).contains("DENY");
            assertThat(headers.firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(headers.firstValue("Cache-Control")).contains("no-store");
        }
    }

    @Test
    void assetsComeFromTheJarWithTheirTypeAndNothingElseIsServed() {
        start(Map.of());

        Reply script = send("GET", "/console/assets/console.js", null);
        Reply style = send("GET", "/console/assets/console.css", null);

        assertThat(script.status()).isEqualTo(200);
        assertThat(script.raw().headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("X-CSRF-Token");
        assertThat(style.raw().headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
        for (String path : List.of(
                "/console/assets/layout.html",
                "/console/assets/..%2Flayout.html",
                "/console/assets/%2e%2e%2fapplication.properties",
                "/console/assets/")) {
            assertThat(send("GET", path, null).status()).as(path).isEqualTo(404);
        }
    }
}
