package bench.plaincamel;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;

/**
 * The HTTP server behind platform-http, set up as the camel-platform-http-vertx documentation shows.
 * camel-main would do this itself from camel.server.* with camel-platform-http-main, which Maven
 * Central does not serve for Camel 4.22 (dlr-hub registers its servers the same way for that reason).
 */
public class HttpServer implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost(context.resolvePropertyPlaceholders("{{http.host}}"));
        server.setBindPort(Integer.parseInt(context.resolvePropertyPlaceholders("{{http.port}}")));
        context.addService(new VertxPlatformHttpServer(server));
    }
}
