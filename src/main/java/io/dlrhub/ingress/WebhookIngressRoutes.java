package io.dlrhub.ingress;

import io.dlrhub.Metrics;
import io.dlrhub.Settings;
import io.dlrhub.auth.GeneratedTokens;
import io.dlrhub.auth.ProviderAuthenticator;
import io.dlrhub.auth.TokenScheme;
import io.dlrhub.auth.TwilioScheme;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.event.RequestEvents;
import io.dlrhub.http.ExactSource;
import io.dlrhub.store.StoreRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.RouteBuilder;

/**
 * The public entry: {@code POST /webhooks/{provider}} (GET too, for providers that send query strings). Finds the provider's adapter route,
 * authenticates the caller, hands the request to the adapter, commits the events the adapter made
 * (all of them in one transaction) and answers once they are committed. Every refusal is a JSON
 * error with a 4xx (or 503 when the database is down).
 */
public class WebhookIngressRoutes extends RouteBuilder {

    /** Why the adapter route failed, kept until the request's events are committed. */
    private static final String ADAPTER_FAILURE = "dlrAdapterFailure";

    private static final List<String> CREDENTIAL_HEADERS = List.of(
            "Authorization", TokenScheme.HEADER, TokenScheme.PARAMETER, TwilioScheme.HEADER, "webhook-signature");

    @Override
    public void configure() throws Exception {
        CamelContext context = getContext();
        Settings settings = new Settings(context);
        ProviderDirectory providers = new ProviderDirectory(context);
        MeterRegistry metrics = Metrics.registry(context);
        String generatedTokensFile = settings.get("generated-tokens.file", "");
        ProviderAuthenticator authenticator = new ProviderAuthenticator(
                key -> settings.get(key, null),
                Clock.systemUTC(),
                settings.get("public-base-url", "http://localhost:" + settings.get("http.port", "8080")),
                generatedTokensFile.isBlank() ? null : new GeneratedTokens(Path.of(generatedTokensFile)));
        context.getRegistry().bind("providerAuthenticator", authenticator);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {}

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                // say at start, not at the first webhook, how each provider authenticates
                providers.providers().forEach(authenticator::schemesOf);
            }
        });

        from("platform-http:/webhooks/{provider}?httpMethodRestrict=POST,GET")
                .routeId("webhook-ingress")
                .errorHandler(defaultErrorHandler().logExhausted(false))
                .onException(Exception.class)
                .handled(true)
                .process(exchange -> WebhookReplies.refused(exchange, metrics))
                .end()
                .process(WebhookReplies::rememberCaller)
                .process(StoreRoutes::results)
                .process(exchange -> identifyProvider(exchange, providers))
                .process(exchange -> authenticate(exchange, authenticator))
                .process(exchange -> exchange.setProperty(RequestEvents.PROPERTY, new RequestEvents()))
                .doTry()
                .toD("direct:provider-${variable." + WebhookReplies.PROVIDER + "}")
                .doCatch(Exception.class)
                // the adapter refused the request, or a report of it (a malformed one among many):
                // the events it made before and after are committed all the same, then it is answered
                .setVariable(ADAPTER_FAILURE, exchangeProperty(Exchange.EXCEPTION_CAUGHT))
                .end()
                // one transaction for all of the request's events; 503 if it does not commit
                .to("direct:persist-events")
                .process(WebhookIngressRoutes::failAsTheAdapterDid)
                .process(exchange -> WebhookReplies.accepted(exchange, metrics));

        from("direct:require-form").routeId("require-form").process(RequestGuards::requireForm);

        from("direct:require-json").routeId("require-json").process(RequestGuards::requireJson);

        from("direct:require-query").routeId("require-query").process(RequestGuards::requireQuery);
    }

    /** The adapter's refusal answers the request once its events are committed. */
    private static void failAsTheAdapterDid(Exchange exchange) throws Exception {
        Exception failure = exchange.getVariable(ADAPTER_FAILURE, Exception.class);
        if (failure != null) {
            throw failure;
        }
    }

    private static void authenticate(Exchange exchange, ProviderAuthenticator authenticator) {
        WebhookRequest request = exchange.getProperty(WebhookRequest.PROPERTY, WebhookRequest.class);
        authenticator.authenticate(exchange.getVariable(WebhookReplies.PROVIDER, String.class), request);
        AdapterVariables.expose(exchange);
        // credentials stop here: no later step (adapter, sink, log) ever sees them
        for (String credential : CREDENTIAL_HEADERS) {
            exchange.getMessage().removeHeader(credential);
        }
    }

    private static void identifyProvider(Exchange exchange, ProviderDirectory providers) {
        // the path segment itself: the Camel header "provider" also takes a provider: header and ?provider=
        String provider = ExactSource.pathParam(exchange, "provider");
        if (!providers.exists(provider)) {
            // not logged: a mistyped URL (/webhooks/<token>, /webhooks/smsby&token=...) puts a credential here
            throw new WebhookRejection(404, "unknown_provider", "no provider adapter is installed under this name");
        }
        exchange.setVariable(WebhookReplies.PROVIDER, provider);
        exchange.setVariable(WebhookReplies.KNOWN_PROVIDER, true);
    }
}
