package io.dlrhub.auth;

import io.dlrhub.Settings;
import io.dlrhub.observe.SecretLogFilter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates webhooks per provider with every scheme configured for it; all of them must pass.
 * <pre>
 *   &lt;provider&gt;.tokens           shared tokens (?token= or X-Webhook-Token)
 *   &lt;provider&gt;.basic-user/-password  HTTP Basic
 *   &lt;provider&gt;.allowed-ips      IP / CIDR allowlist (X-Forwarded-For only from trusted-proxies)
 *   &lt;provider&gt;.webhook-secrets  Standard Webhooks signature (whsec_...)
 *   &lt;provider&gt;.auth-tokens      Twilio signature
 * </pre>
 * A provider with none of these is never left open: it gets a generated token, kept in a private
 * file ({@link GeneratedTokens}) so the URL given to the provider survives restarts, and the URL is
 * logged once per start (shared/docs/design.md), with how to configure it.
 */
public class ProviderAuthenticator {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderAuthenticator.class);

    private final Function<String, String> settings;
    private final Clock clock;
    private final String publicBaseUrl;
    private final GeneratedTokens generatedTokens;
    private final Map<String, List<AuthScheme>> schemes = new ConcurrentHashMap<>();

    /**
     * @param settings        a setting by key, null when unset or empty
     * @param publicBaseUrl   the URL providers call, for URL signatures and the start-up log line
     * @param generatedTokens where a provider without credential keeps its generated token; null:
     *                        nowhere, a new one every run
     */
    public ProviderAuthenticator(
            Function<String, String> settings, Clock clock, String publicBaseUrl, GeneratedTokens generatedTokens) {
        this.settings = settings;
        this.clock = clock;
        this.generatedTokens = generatedTokens;
        this.publicBaseUrl =
                publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
    }

    public void authenticate(String provider, WebhookRequest request) {
        for (AuthScheme scheme : schemesOf(provider)) {
            scheme.check(request);
        }
    }

    /** The provider's schemes, built on first use; logs which ones apply (never a secret). */
    public List<AuthScheme> schemesOf(String provider) {
        return schemes.computeIfAbsent(provider, this::build);
    }

    private List<AuthScheme> build(String provider) {
        List<AuthScheme> built = new ArrayList<>();
        List<String> tokens = list(provider + ".tokens");
        // whatever a library prints at DEBUG or TRACE, these never reach the log
        tokens.forEach(SecretLogFilter::keepOut);
        if (!tokens.isEmpty()) {
            built.add(new TokenScheme(tokens));
        }
        String user = settings.apply(provider + ".basic-user");
        String password = settings.apply(provider + ".basic-password");
        if (user != null || password != null) {
            SecretLogFilter.keepOutBasic(user, password);
            built.add(new BasicScheme(user, password));
        }
        List<String> secrets = list(provider + ".webhook-secrets");
        SecretLogFilter.keepOut(provider + ".webhook-secrets", settings.apply(provider + ".webhook-secrets"));
        if (!secrets.isEmpty()) {
            built.add(new StandardWebhooksScheme(new StandardWebhooks(secrets, clock, Duration.ofMinutes(5))));
        }
        List<String> twilioTokens = list(provider + ".auth-tokens");
        twilioTokens.forEach(SecretLogFilter::keepOut);
        if (!twilioTokens.isEmpty()) {
            built.add(new TwilioScheme(new TwilioSignature(twilioTokens), publicBaseUrl));
        }
        List<String> allowed = list(provider + ".allowed-ips");
        if (!allowed.isEmpty()) {
            built.add(new IpAllowlist(allowed, list("trusted-proxies")));
        }
        if (built.isEmpty()) {
            built.add(new TokenScheme(List.of(generateToken(provider))));
        } else {
            LOG.info(
                    "Provider '{}' authenticates webhooks by {}",
                    provider,
                    built.stream().map(AuthScheme::describe).collect(Collectors.joining(" + ")));
        }
        return List.copyOf(built);
    }

    private String generateToken(String provider) {
        String variable = provider.toUpperCase(Locale.ROOT).replace('-', '_') + "_TOKENS";
        String kept = null;
        String token = null;
        String notKept = "generated-tokens.file is empty";
        if (generatedTokens != null) {
            try {
                token = generatedTokens.tokenFor(provider);
                kept = generatedTokens.file().toString();
            } catch (UncheckedIOException e) {
                notKept = e.getMessage() + ": " + e.getCause();
            }
        }
        if (token == null) {
            // known to nobody: the provider stays closed until a credential is configured
            token = Secrets.randomToken();
            LOG.warn(
                    "No credential is configured for provider '{}' and no generated token could be kept ({}):"
                            + " it refuses every webhook until {} (or {}.tokens in application.properties) is set.",
                    provider,
                    notKept,
                    variable,
                    provider);
        } else {
            // the token itself is never logged (a log is read by more people than the service's files):
            // the line says where it is
            LOG.warn(
                    "No credential is configured for provider '{}', so it accepts only a generated token, kept"
                            + " across restarts in {} as {}.tokens. Webhook URL to give the provider:"
                            + " {}/webhooks/{}?token=<{}.tokens from that file> -- set {} (or {}.tokens in"
                            + " application.properties) to make it part of your configuration.",
                    provider,
                    kept,
                    provider,
                    publicBaseUrl,
                    provider,
                    provider,
                    variable,
                    provider);
        }
        SecretLogFilter.keepOut(token);
        return token;
    }

    private List<String> list(String key) {
        return Settings.split(settings.apply(key));
    }
}
