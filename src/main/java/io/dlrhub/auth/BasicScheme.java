package io.dlrhub.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** HTTP Basic: the provider is given {@code https://user:password@host/webhooks/<provider>}. */
public final class BasicScheme implements AuthScheme {

    private static final String BASIC = "Basic ";
    private final String user;
    private final String password;

    public BasicScheme(String user, String password) {
        if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("HTTP Basic needs both a user and a password");
        }
        this.user = user;
        this.password = password;
    }

    @Override
    public void check(WebhookRequest request) {
        String header = request.singleHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BASIC, 0, BASIC.length())) {
            throw new UnauthenticatedException("HTTP Basic credentials are required");
        }
        String decoded;
        try {
            decoded = new String(
                    Base64.getDecoder().decode(header.substring(BASIC.length()).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new UnauthenticatedException("the Authorization header is not valid Basic credentials");
        }
        int colon = decoded.indexOf(':');
        String presentedUser = colon < 0 ? decoded : decoded.substring(0, colon);
        String presentedPassword = colon < 0 ? "" : decoded.substring(colon + 1);
        // both compared, always: the time taken does not tell which one was wrong
        boolean userMatches = Secrets.constantTimeEquals(presentedUser, user);
        boolean passwordMatches = Secrets.constantTimeEquals(presentedPassword, password);
        if (!(userMatches & passwordMatches)) {
            throw new UnauthenticatedException("the user or password is not valid");
        }
    }

    @Override
    public String describe() {
        return "HTTP Basic";
    }
}
