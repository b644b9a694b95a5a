package io.dlrhub.auth;

import io.dlrhub.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * The one place that decides who may use the management port's API and console:
 * {@code Authorization: Bearer <ADMIN_TOKEN>} (scripts, curl), or a console session (a browser
 * signed in with the same token) whose state-changing requests also carry the session's CSRF token
 * and come from the console's own origin. Without a configured admin token both are refused; the
 * API is never open by default. Only the raw {@code Authorization} and {@code Cookie} headers of the
 * request count (see {@link WebhookRequest}), never a Camel header a query parameter can set.
 */
public class AdminAuthenticator {

    /** Exchange property: what authenticated the request, recorded with what it did (e.g. a bulk replay). */
    public static final String PRINCIPAL = "dlrAdminPrincipal";
    /** The principal of a request that carried the admin token. */
    public static final String ADMIN_TOKEN = "admin-token";
    /** The principal of a request made from a console session. */
    public static final String CONSOLE = "console";

    public static final String SESSION_COOKIE = "dlrhub_console";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** Longest idle time and whole lifetime of a console session by default (CONSOLE_SESSION_*_SECONDS). */
    public static final long DEFAULT_IDLE_SECONDS = 1800;

    public static final long DEFAULT_MAX_SECONDS = 43_200;

    private static final String BEARER = "Bearer ";
    private static final int MAX_SESSIONS = 1000;
    /** Methods that change nothing: no CSRF token needed for them. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final String adminToken;
    private final ConsoleSessions sessions;

    /** Bearer token only, no console sessions. */
    public AdminAuthenticator(String adminToken) {
        this(adminToken, null);
    }

    public AdminAuthenticator(String adminToken, ConsoleSessions sessions) {
        this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken;
        this.sessions = sessions;
    }

    /** From {@code admin.token} and {@code console.session-*}, with an empty session store. */
    public static AdminAuthenticator fromSettings(Settings settings) {
        ConsoleSessions sessions = new ConsoleSessions(
                Clock.systemUTC(),
                Duration.ofSeconds(settings.getDuration("console.session-idle-seconds", DEFAULT_IDLE_SECONDS)),
                Duration.ofSeconds(settings.getDuration("console.session-max-seconds", DEFAULT_MAX_SECONDS)),
                MAX_SESSIONS);
        return new AdminAuthenticator(settings.get("admin.token", null), sessions);
    }

    public boolean isConfigured() {
        return adminToken != null;
    }

    /** Whether a presented value is the admin token, in time that does not depend on either. */
    public boolean isAdminToken(String presented) {
        return adminToken != null && Secrets.constantTimeEquals(presented, adminToken);
    }

    /**
     * Lets the request through or throws: {@link UnauthenticatedException} (401) without a valid
     * token or session, {@link ForbiddenException} (403) for a session's state-changing request
     * without its CSRF token or from another origin. Sets {@link #PRINCIPAL}.
     */
    public void authenticate(Exchange exchange) {
        // platform-http merges ?Authorization=... into the same Camel header: only the real header counts
        WebhookRequest request = exchange.getProperty(WebhookRequest.PROPERTY, WebhookRequest.class);
        exchange.getMessage().removeHeader("Authorization");
        exchange.getMessage().removeHeader("Cookie");
        if (adminToken == null) {
            throw new UnauthenticatedException("the operations API is disabled until ADMIN_TOKEN is set");
        }
        String header = request == null ? null : request.singleHeader("Authorization");
        if (header != null) {
            // a request that names a credential is judged by it alone, whatever cookie it also carries
            if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                throw new UnauthenticatedException("Authorization: Bearer <ADMIN_TOKEN> is required");
            }
            if (!isAdminToken(header.substring(BEARER.length()).trim())) {
                throw new UnauthenticatedException("the admin token is not valid");
            }
            exchange.setProperty(PRINCIPAL, ADMIN_TOKEN);
            return;
        }
        String sessionId = request == null ? null : sessionId(request);
        if (sessionId == null) {
            throw new UnauthenticatedException(
                    "Authorization: Bearer <ADMIN_TOKEN> is required (or a console session)");
        }
        ConsoleSessions.Session session = session(request)
                .orElseThrow(() -> new UnauthenticatedException("the console session has ended: sign in again"));
        if (!SAFE_METHODS.contains(request.method())) {
            requireSameOrigin(request);
            requireCsrfToken(session, request.singleHeader(CSRF_HEADER));
        }
        exchange.setProperty(PRINCIPAL, CONSOLE);
    }

    /** What authenticated this request ({@link #ADMIN_TOKEN} or {@link #CONSOLE}); only after {@link #authenticate}. */
    public static String principal(Exchange exchange) {
        String principal = exchange.getProperty(PRINCIPAL, String.class);
        if (principal == null) {
            throw new UnauthenticatedException("the request is not authenticated");
        }
        return principal;
    }

    /** The live console session the request's cookie names (its idle time restarted), if any. */
    public Optional<ConsoleSessions.Session> session(WebhookRequest request) {
        if (adminToken == null || sessions == null) {
            return Optional.empty();
        }
        return sessions.use(sessionId(request));
    }

    /** A new console session for the admin token; empty when the token is wrong (or none is configured). */
    public Optional<ConsoleSessions.Session> signIn(String presentedToken) {
        if (sessions == null || !isAdminToken(presentedToken)) {
            return Optional.empty();
        }
        return Optional.of(sessions.open());
    }

    /** Ends a session; the caller has checked {@link #requireCsrfToken} and {@link #requireSameOrigin}. */
    public void signOut(ConsoleSessions.Session session) {
        sessions.close(session.id());
    }

    public Duration sessionIdleTimeout() {
        return sessions == null ? Duration.ZERO : sessions.idleTimeout();
    }

    /** The state-changing request carries the session's CSRF token (a header from scripts, a field from forms). */
    public void requireCsrfToken(ConsoleSessions.Session session, String presented) {
        if (presented == null || !Secrets.constantTimeEquals(presented, session.csrfToken())) {
            throw new ForbiddenException("the console's CSRF token is missing or wrong: reload the page");
        }
    }

    /**
     * The state-changing request comes from a page of this console: a browser says where a request
     * comes from in {@code Sec-Fetch-Site} (modern ones) and {@code Origin}; when either is present
     * it must name this very origin (the {@code Host} the browser sent), so another site cannot make
     * the operator's browser act even if it had the token.
     */
    public void requireSameOrigin(WebhookRequest request) {
        String site = request.singleHeader("Sec-Fetch-Site");
        if (site != null && !"same-origin".equalsIgnoreCase(site.trim())) {
            throw new ForbiddenException("the request does not come from the console's own pages");
        }
        String origin = request.singleHeader("Origin");
        if (origin == null) {
            return;
        }
        String host = request.singleHeader("Host");
        String authority;
        try {
            authority = new URI(origin.trim()).getRawAuthority();
        } catch (URISyntaxException e) {
            authority = null;
        }
        if (host == null || authority == null || !authority.equalsIgnoreCase(host.trim())) {
            throw new ForbiddenException("the request does not come from the console's own origin");
        }
    }

    /** The Set-Cookie value that hands a browser its session: HttpOnly, SameSite=Strict, Path=/, Secure over TLS. */
    public static String sessionCookie(ConsoleSessions.Session session, boolean secure) {
        return SESSION_COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /** The Set-Cookie value that makes a browser forget its session cookie. */
    public static String clearedCookie(boolean secure) {
        return SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    /**
     * The session id from the raw Cookie header(s); null when absent or given more than once (a
     * second cookie of the same name, e.g. planted by a sibling domain, is refused, not guessed).
     */
    static String sessionId(WebhookRequest request) {
        String found = null;
        int seen = 0;
        for (String header : request.headerValues("Cookie")) {
            for (String pair : header.split(";")) {
                int equals = pair.indexOf('=');
                if (equals > 0
                        && SESSION_COOKIE.equals(pair.substring(0, equals).trim())) {
                    seen++;
                    found = pair.substring(equals + 1).trim();
                }
            }
        }
        return seen == 1 && !found.isEmpty() ? found : null;
    }
}
