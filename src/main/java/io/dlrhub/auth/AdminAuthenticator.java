package io.dlrhub.auth;

import org.apache.camel.Exchange;

/**
 * Guards the operations API: {@code Authorization: Bearer <ADMIN_TOKEN>}. Without a configured
 * admin token the API refuses every request; it is never open by default.
 */
public class AdminAuthenticator {

    /** Exchange property: what authenticated the request, recorded with what it did (e.g. a bulk replay). */
    public static final String PRINCIPAL = "dlrAdminPrincipal";
    /** The principal of a request that carried the admin token. */
    public static final String ADMIN_TOKEN = "admin-token";
    /** The principal of a request made from a console session (set by the console's sign-in path). */
    public static final String CONSOLE = "console";
    private static final String BEARER = "Bearer ";
    private final String adminToken;

    public AdminAuthenticator(String adminToken) {
        this.adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken;
    }

    public boolean isConfigured() {
        return adminToken != null;
    }

    public void authenticate(Exchange exchange) {
        // platform-http merges ?Authorization=... into the same Camel header: only the real header counts
        WebhookRequest request = exchange.getProperty(WebhookRequest.PROPERTY, WebhookRequest.class);
        exchange.getMessage().removeHeader("Authorization");
        if (adminToken == null) {
            throw new UnauthenticatedException("the operations API is disabled until ADMIN_TOKEN is set");
        }
        String header = request == null ? null : request.singleHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new UnauthenticatedException("Authorization: Bearer <ADMIN_TOKEN> is required");
        }
        if (!Secrets.constantTimeEquals(header.substring(BEARER.length()).trim(), adminToken)) {
            throw new UnauthenticatedException("the admin token is not valid");
        }
        exchange.setProperty(PRINCIPAL, ADMIN_TOKEN);
    }

    /** What authenticated this request ({@link #ADMIN_TOKEN} or {@link #CONSOLE}); only after {@link #authenticate}. */
    public static String principal(Exchange exchange) {
        String principal = exchange.getProperty(PRINCIPAL, String.class);
        if (principal == null) {
            throw new UnauthenticatedException("the request is not authenticated");
        }
        return principal;
    }
}
