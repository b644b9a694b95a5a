package io.dlrhub.ops;

import io.dlrhub.Settings;
import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.auth.ConsoleSessions;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.ExactSource;
import io.dlrhub.http.JsonAnswer;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator console at {@code /console} on the management port: pages served from the jar
 * ({@link ConsolePages}) that read and act through the operations API with the browser's session.
 * <ul>
 *   <li>{@code GET /console/sign-in}, {@code POST /console/sign-in} (form field {@code token}: the
 *   admin token, once) → a session cookie (HttpOnly, SameSite=Strict, Path=/, Secure over TLS or
 *   with {@code console.cookie-secure}); {@code POST /console/sign-out} ends it.</li>
 *   <li>{@code GET /console}, {@code /console/search}, {@code /console/message},
 *   {@code /console/dead-letters}, {@code /console/sinks}: the pages; without a session, a
 *   redirect to the sign-in page.</li>
 *   <li>{@code GET /console/session}: the session's CSRF token for the page's script.</li>
 *   <li>{@code GET /console/assets/{file}}: the script and the style sheet.</li>
 * </ul>
 * Every state-changing request of a session (sign-out, the API's POSTs) must carry the session's
 * CSRF token and come from this origin ({@link AdminAuthenticator#requireSameOrigin}).
 */
public class ConsoleRoutes extends RouteBuilder {

    /** Shared by every route of the management port (OpsConfiguration). */
    @BeanInject
    AdminAuthenticator admin;

    static final String SIGN_IN = "/console/sign-in";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
    private static final String HTML = "text/html; charset=utf-8";

    @Override
    public void configure() throws Exception {
        ConsolePages pages = new ConsolePages();
        boolean alwaysSecure = new Settings(getContext()).getBoolean("console.cookie-secure", false);

        for (String page : ConsolePages.PAGES.keySet()) {
            ManagementApi.answeringErrors(
                            from(platformHttp(ConsolePages.path(page), "GET")).routeId("console-" + page))
                    .process(exchange -> {
                        if (admin.session(ExactSource.request(exchange)).isPresent()) {
                            html(exchange, 200, pages.page(page));
                        } else {
                            redirect(exchange, SIGN_IN, null);
                        }
                    });
        }
        ManagementApi.answeringErrors(from(platformHttp(SIGN_IN, "GET,POST")).routeId("console-sign-in"))
                .process(exchange -> {
                    if ("POST".equals(ExactSource.request(exchange).method())) {
                        signIn(exchange, admin, pages, alwaysSecure || ExactSource.overTls(exchange));
                    } else {
                        signInPage(exchange, admin, pages);
                    }
                });
        ManagementApi.answeringErrors(
                        from(platformHttp("/console/sign-out", "POST")).routeId("console-sign-out"))
                .process(exchange -> signOut(exchange, admin, alwaysSecure || ExactSource.overTls(exchange)));
        ManagementApi.answeringErrors(
                        from(platformHttp("/console/session", "GET")).routeId("console-session"))
                .process(exchange -> session(exchange, admin));
        ManagementApi.answeringErrors(
                        from(platformHttp("/console/assets/{file}", "GET")).routeId("console-assets"))
                .process(exchange -> asset(exchange, pages));
    }

    private static String platformHttp(String path, String methods) {
        return "platform-http:" + path + "?httpMethodRestrict=" + methods + "&" + ManagementApi.ON_MANAGEMENT_PORT;
    }

    private static void signInPage(Exchange exchange, AdminAuthenticator admin, ConsolePages pages) {
        WebhookRequest request = ExactSource.request(exchange);
        if (admin.session(request).isPresent()) {
            redirect(exchange, ConsolePages.path("overview"), null);
            return;
        }
        String notice = null;
        if (!admin.isConfigured()) {
            notice = "The console is off until ADMIN_TOKEN is set.";
        } else if (!request.queryValues("signed-out").isEmpty()) {
            notice = "You are signed out.";
        } else if (!request.queryValues("ended").isEmpty()) {
            notice = "Your session has ended. Sign in again.";
        }
        html(exchange, 200, pages.signIn(notice));
    }

    private static void signIn(Exchange exchange, AdminAuthenticator admin, ConsolePages pages, boolean secure) {
        WebhookRequest request = ExactSource.request(exchange);
        // no session to tie a CSRF token to yet: the browser's own Origin / Sec-Fetch-Site must be ours
        admin.requireSameOrigin(request);
        if (!admin.isConfigured()) {
            html(exchange, 401, pages.signIn("The console is off until ADMIN_TOKEN is set."));
            return;
        }
        Optional<ConsoleSessions.Session> session = admin.signIn(formField(request, "token"));
        if (session.isEmpty()) {
            LOG.warn("Console sign-in refused from {}: not the admin token", request.remote());
            html(exchange, 401, pages.signIn("That is not the admin token."));
            return;
        }
        LOG.info("Console sign-in from {}", request.remote());
        redirect(exchange, ConsolePages.path("overview"), AdminAuthenticator.sessionCookie(session.get(), secure));
    }

    private static void signOut(Exchange exchange, AdminAuthenticator admin, boolean secure) {
        WebhookRequest request = ExactSource.request(exchange);
        Optional<ConsoleSessions.Session> session = admin.session(request);
        if (session.isPresent()) {
            admin.requireSameOrigin(request);
            String token = request.singleHeader(AdminAuthenticator.CSRF_HEADER);
            admin.requireCsrfToken(session.get(), token != null ? token : formField(request, "csrf_token"));
            admin.signOut(session.get());
            LOG.info("Console sign-out from {}", request.remote());
        }
        redirect(exchange, SIGN_IN + "?signed-out", AdminAuthenticator.clearedCookie(secure));
    }

    private static void session(Exchange exchange, AdminAuthenticator admin) {
        Optional<ConsoleSessions.Session> session = admin.session(ExactSource.request(exchange));
        if (session.isEmpty()) {
            JsonAnswer.error(exchange, 401, "unauthorized", "no console session: sign in");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("csrf_token", session.get().csrfToken());
        body.put("idle_timeout_seconds", admin.sessionIdleTimeout().toSeconds());
        JsonAnswer.answer(exchange, 200, EventJson.write(body));
    }

    private static void asset(Exchange exchange, ConsolePages pages) {
        String name = ExactSource.pathParam(exchange, "file");
        byte[] content = name == null ? null : pages.asset(name);
        if (content == null) {
            JsonAnswer.error(exchange, 404, "not_found", "no such file");
            return;
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, ConsolePages.ASSETS.get(name));
        exchange.getMessage().setBody(content);
    }

    /**
     * One field of the form body as sent (the raw bytes, not Camel's merged headers, where a query
     * parameter of the same name would join it); null when absent.
     *
     * @throws IllegalArgumentException when it is given more than once
     */
    static String formField(WebhookRequest request, String name) {
        String body = new String(request.rawBody(), StandardCharsets.UTF_8);
        List<String> values = new QueryStringDecoder(body, StandardCharsets.UTF_8, false)
                .parameters()
                .get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + " is given more than once");
        }
        return values.get(0);
    }

    private static void html(Exchange exchange, int status, String page) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, HTML);
        exchange.getMessage().setBody(page);
    }

    private static void redirect(Exchange exchange, String location, String cookie) {
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 303);
        exchange.getMessage().setHeader("Location", location);
        if (cookie != null) {
            exchange.getMessage().setHeader("Set-Cookie", cookie);
        }
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getMessage().setBody("");
    }
}
