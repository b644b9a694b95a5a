package io.dlrhub.ingress;

import io.dlrhub.Metrics;
import io.dlrhub.http.PublicRoutes;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;

/**
 * What the webhook route tells the public listener (http's {@link PublicRoutes}): its messages
 * name {@code POST /webhooks/{provider}}, a 405's Allow header is narrowed to what the provider's
 * adapter takes, and every request refused before the route ran goes to the event log and
 * {@code dlrhub_webhooks_total}. One per CamelContext, holding that context's meter registry.
 */
final class WebhookRefusals implements PublicRoutes {

    private final CamelContext context;
    private final ProviderDirectory providers;
    private final MeterRegistry metrics;

    WebhookRefusals(CamelContext context) {
        this.context = context;
        this.providers = new ProviderDirectory(context);
        this.metrics = Metrics.registry(context);
    }

    @Override
    public String path() {
        return AllowedMethods.WEBHOOKS;
    }

    @Override
    public String notFound() {
        return "no such endpoint: webhooks are POST /webhooks/{provider}";
    }

    @Override
    public String methodNotAllowed(String allow) {
        return "webhooks to this URL are sent with " + allow;
    }

    @Override
    public List<String> allowedMethods(String path, Set<String> onRouter) {
        return AllowedMethods.of(context, path, onRouter);
    }

    @Override
    public void refused(String path, String remote, int status, String code) {
        String segment = path != null && path.startsWith(AllowedMethods.WEBHOOKS)
                ? path.substring(AllowedMethods.WEBHOOKS.length())
                : null;
        // an unmatched path is what the caller typed ("/webhooks/smsby/<token>"): only an installed
        // provider's name is logged, never the path or the query
        String provider = providers.exists(segment) ? segment : null;
        EventLog.record(provider, status, "rejected", code, remote, null);
        Metrics.webhook(metrics, "-", "rejected", code);
    }
}
