package io.dlrhub.ingress;

import io.dlrhub.Settings;
import io.dlrhub.auth.TokenAuthenticator;
import io.dlrhub.event.EventRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.StartupListener;
import org.apache.camel.builder.RouteBuilder;

/**
 * The public entry: {@code POST /webhooks/{provider}}. Finds the provider's adapter route,
 * authenticates the caller, hands the request to the adapter and answers once the event is
 * committed. Every refusal is a JSON error with a 4xx (or 503 when the database is down).
 */
public class WebhookIngressRoutes extends RouteBuilder {

    @Override
    public void configure() throws Exception {
        CamelContext context = getContext();
        Settings settings = new Settings(context);
        ProviderDirectory providers = new ProviderDirectory(context);
        TokenAuthenticator tokens = new TokenAuthenticator(p -> settings.getList(p + ".tokens"),
                settings.get("public-base-url", "http://localhost:" + settings.get("http.port", "8080")));
        context.getRegistry().bind("tokenAuthenticator", tokens);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                // say at start, not at the first webhook, which providers run on a generated token
                providers.providers().forEach(tokens::tokensOf);
            }
        });

        from("platform-http:/webhooks/{provider}?httpMethodRestrict=POST")
                .routeId("webhook-ingress")
                .errorHandler(defaultErrorHandler().logExhausted(false))
                .onException(Exception.class)
                    .handled(true)
                    .process(WebhookReplies::refused)
                .end()
                .process(WebhookReplies::rememberCaller)
                .process(EventRoutes::results)
                .process(exchange -> identifyProvider(exchange, providers))
                .process(exchange -> tokens.authenticate(exchange.getVariable(WebhookReplies.PROVIDER, String.class),
                        exchange))
                .toD("direct:provider-${variable." + WebhookReplies.PROVIDER + "}")
                .process(WebhookReplies::accepted);

        from("direct:require-form")
                .routeId("require-form")
                .process(ContentTypes.require("application/x-www-form-urlencoded"));

        from("direct:require-json")
                .routeId("require-json")
                .process(ContentTypes.require("application/json"));
    }

    private static void identifyProvider(Exchange exchange, ProviderDirectory providers) {
        String provider = exchange.getMessage().getHeader("provider", String.class);
        exchange.setVariable(WebhookReplies.PROVIDER, provider);
        if (!providers.exists(provider)) {
            throw new WebhookRejection(404, "unknown_provider", "no provider adapter is installed under this name");
        }
    }
}
