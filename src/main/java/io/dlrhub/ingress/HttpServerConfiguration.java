package io.dlrhub.ingress;

import io.dlrhub.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * The public webhook listener on {@code http.port}. camel-platform-http-main (camel.server.*) is
 * not available for Camel 4.22 here, so the Vert.x server is registered the way its docs show.
 */
public class HttpServerConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost(settings.get("http.host", "0.0.0.0"));
        server.setBindPort(settings.getInt("http.port", 8080));
        server.setMaxBodySize(settings.getLong("max-body-bytes", 65536));
        context.addService(new WebhookHttpServer(server));
    }

    /** The Vert.x server plus JSON answers for what is refused before a route sees it. */
    static final class WebhookHttpServer extends VertxPlatformHttpServer {

        WebhookHttpServer(VertxPlatformHttpServerConfiguration configuration) {
            super(configuration);
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            JsonErrorPages.install(VertxPlatformHttpRouter.lookup(getCamelContext(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort())));
        }
    }
}
