package io.dlrhub.auth;

import org.apache.camel.Exchange;

/**
 * Guards the operations API: {@code Authorization: Bearer <ADMIN_TOKEN>}. Without a configured
 * admin token the API refuses every request; it is never open by default.
 */
public class AdminAuthenticator {

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
    }
}
