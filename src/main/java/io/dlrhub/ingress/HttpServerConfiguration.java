package io.dlrhub.ingress;

import io.dlrhub.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import io.vertx.core.Vertx;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * The two listeners: webhooks on {@code http.port}, the operations API (and later health and
 * metrics) on {@code management.port}, so the public port exposes nothing but webhooks.
 * camel-platform-http-main (camel.server.*, camel.management.*) is not available for Camel 4.22
 * here, so the Vert.x servers are registered the way the platform-http-vertx docs show.
 */
public class HttpServerConfiguration implements CamelConfiguration {

    public static final String MANAGEMENT_ENGINE = "managementHttpEngine";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        // one Vert.x for both listeners; the servers find it in the registry
        Vertx vertx = Vertx.vertx();
        context.getRegistry().bind("vertx", Vertx.class, vertx);

        VertxPlatformHttpServerConfiguration webhooks = new VertxPlatformHttpServerConfiguration();
        webhooks.setBindHost(settings.get("http.host", "0.0.0.0"));
        webhooks.setBindPort(settings.getInt("http.port", 8080));
        webhooks.setMaxBodySize(settings.getLong("max-body-bytes", 65536));
        context.addService(new Listener(webhooks, true));
        context.getComponent("platform-http", PlatformHttpComponent.class)
                .setEngine(new ListenerEngine(webhooks.getBindPort()));

        VertxPlatformHttpServerConfiguration management = new VertxPlatformHttpServerConfiguration();
        management.setBindHost(settings.get("management.host", "0.0.0.0"));
        management.setBindPort(settings.getInt("management.port", 9876));
        management.setMaxBodySize(16_384L);
        if (management.getBindPort() == webhooks.getBindPort()) {
            throw new IllegalStateException("MANAGEMENT_PORT must differ from HTTP_PORT: the webhook port exposes webhooks only");
        }
        context.addService(new Listener(management, false));
        context.getRegistry().bind(MANAGEMENT_ENGINE, new ListenerEngine(management.getBindPort()));

        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                vertx.close();
            }
        });
    }

    /**
     * Serves platform-http endpoints on the listener of one port: routes on the management port
     * name this engine with {@code platformHttpEngine=#managementHttpEngine}.
     */
    static final class ListenerEngine extends VertxPlatformHttpEngine {

        private final int port;

        ListenerEngine(int port) {
            this.port = port;
        }

        @Override
        public int getServerPort() {
            return port;
        }
    }

    /** A Vert.x listener plus JSON answers for what is refused before a route sees it. */
    static final class Listener extends VertxPlatformHttpServer {

        private final boolean webhooks;

        Listener(VertxPlatformHttpServerConfiguration configuration, boolean webhooks) {
            super(configuration);
            this.webhooks = webhooks;
        }

        @Override
        protected void doStart() throws Exception {
            super.doStart();
            JsonErrorPages.install(VertxPlatformHttpRouter.lookup(getCamelContext(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort())), webhooks);
        }
    }
}
