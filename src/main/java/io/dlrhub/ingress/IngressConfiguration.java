package io.dlrhub.ingress;

import io.dlrhub.http.PublicRoutes;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** The beans of the webhook route that others find in the registry. */
@Configuration
public class IngressConfiguration implements CamelConfiguration {

    /** For adapters that split one request into several reports ({@code "#reportFailures"} in routes/infobip.camel.yaml). */
    @BindToRegistry(ReportFailures.BEAN)
    public ReportFailures reportFailures() {
        return new ReportFailures();
    }

    /** Found by type by the public listener when it starts (http knows no providers). */
    @BindToRegistry
    public PublicRoutes webhookRefusals(CamelContext context) {
        return new WebhookRefusals(context);
    }
}
