package io.dlrhub.auth;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared-token authentication: the provider calls the webhook URL with {@code ?token=...} (all
 * sms.by can be given is a URL) or sends {@code X-Webhook-Token}. Several tokens may be active at
 * once, so a token can be rotated without a moment in which webhooks are refused.
 * <p>
 * A provider without a configured token is never left open: a random token is generated for the
 * run and the URL to give the provider is logged once, with how to make it permanent.
 */
public class TokenAuthenticator {

    public static final String TOKEN_HEADER = "X-Webhook-Token";
    public static final String TOKEN_PARAMETER = "token";
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuthenticator.class);

    private final Function<String, List<String>> configuredTokens;
    private final String publicBaseUrl;
    private final Map<String, List<String>> tokens = new ConcurrentHashMap<>();

    /**
     * @param configuredTokens the tokens configured for a provider (setting {@code <provider>.tokens})
     * @param publicBaseUrl    the URL providers call, for the log line that tells where to point them
     */
    public TokenAuthenticator(Function<String, List<String>> configuredTokens, String publicBaseUrl) {
        this.configuredTokens = configuredTokens;
        this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1)
                : publicBaseUrl;
    }

    /** Throws {@link UnauthenticatedException} unless the exchange carries one of the provider's tokens. */
    public void authenticate(String provider, Exchange exchange) {
        String presented;
        try {
            presented = presentedToken(exchange);
        } finally {
            exchange.getMessage().removeHeader(TOKEN_HEADER);
            exchange.getMessage().removeHeader(TOKEN_PARAMETER);
        }
        if (presented == null) {
            throw new UnauthenticatedException("a token is required: ?token= in the URL or the "
                    + TOKEN_HEADER + " header");
        }
        boolean match = false;
        for (String token : tokensOf(provider)) {
            // no early exit: the time taken does not tell which token matched
            match |= Secrets.constantTimeEquals(presented, token);
        }
        if (!match) {
            throw new UnauthenticatedException("the token is not valid for this provider");
        }
    }

    /** The provider's active tokens; generates and announces one when none is configured. */
    public List<String> tokensOf(String provider) {
        return tokens.computeIfAbsent(provider, this::loadTokens);
    }

    private List<String> loadTokens(String provider) {
        List<String> configured = configuredTokens.apply(provider);
        if (!configured.isEmpty()) {
            return List.copyOf(configured);
        }
        String generated = Secrets.randomToken();
        String variable = provider.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_TOKENS";
        LOG.warn("No credential is configured for provider '{}', so a token was generated for this run only."
                        + " Webhook URL to give the provider: {}/webhooks/{}?token={}"
                        + " -- set {}={} (or {}.tokens in application.properties) to keep it across restarts.",
                provider, publicBaseUrl, provider, generated, variable, generated, provider);
        return List.of(generated);
    }

    private static String presentedToken(Exchange exchange) {
        String header = exchange.getMessage().getHeader(TOKEN_HEADER, String.class);
        if (header != null && !header.isBlank()) {
            return header.trim();
        }
        String rawQuery = exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class);
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        try {
            List<String> values = new QueryStringDecoder(rawQuery, false).parameters().get(TOKEN_PARAMETER);
            return values == null || values.isEmpty() ? null : values.get(0);
        } catch (IllegalArgumentException malformed) {
            throw new UnauthenticatedException("the query string is not valid URL encoding");
        }
    }
}
