package io.dlrhub.auth;

import java.util.List;

/**
 * Shared token in {@code ?token=} (all sms.by can be given is a URL) or {@code X-Webhook-Token}.
 * Several tokens may be active at once, so a token can be rotated without refusing webhooks.
 */
public final class TokenScheme implements AuthScheme {

    public static final String HEADER = "X-Webhook-Token";
    public static final String PARAMETER = "token";

    private final List<String> tokens;

    public TokenScheme(List<String> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("at least one token is needed");
        }
        this.tokens = List.copyOf(tokens);
    }

    @Override
    public void check(WebhookRequest request) {
        String presented = presented(request);
        if (presented == null || presented.isEmpty()) {
            throw new UnauthenticatedException("a token is required: ?token= in the URL or the " + HEADER + " header");
        }
        boolean match = false;
        for (String token : tokens) {
            // no early exit: the time taken does not tell which token matched
            match |= Secrets.constantTimeEquals(presented, token);
        }
        if (!match) {
            throw new UnauthenticatedException("the token is not valid for this provider");
        }
    }

    private static String presented(WebhookRequest request) {
        String header = request.singleHeader(HEADER);
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        List<String> values;
        try {
            values = request.queryValues(PARAMETER);
        } catch (IllegalArgumentException malformed) {
            throw new UnauthenticatedException("the query string is not valid URL encoding");
        }
        if (values.size() > 1) {
            // which copy would be "the" token is a guess; two copies are refused instead
            throw new UnauthenticatedException("the token is given more than once in the query string");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String describe() {
        return tokens.size() + " token(s)";
    }
}
