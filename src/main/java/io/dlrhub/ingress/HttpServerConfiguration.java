package io.dlrhub.ingress;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

import io.dlrhub.Settings;
import io.dlrhub.auth.ClientAddress;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.observe.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import org.apache.camel.AsyncCallback;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.SecureSocketProtocolsParameters;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.support.service.ServiceSupport;

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
        String keystore = settings.get("tls.keystore", null);
        SSLContextParameters tls = keystore == null ? null : tls(context, keystore,
                settings.get("tls.keystore-password", ""), settings.get("tls.keystore-type", "PKCS12"));
        // one Vert.x for both listeners, found by the servers in the registry; webhook requests wait
        // on the database in worker threads: enough of them to fill a group commit
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.getInt("http.worker-threads", 64)));
        context.getRegistry().bind("vertx", Vertx.class, vertx);

        VertxPlatformHttpServerConfiguration webhooks = new VertxPlatformHttpServerConfiguration();
        webhooks.setBindHost(settings.get("http.host", "0.0.0.0"));
        webhooks.setBindPort(settings.getInt("http.port", 8080));
        webhooks.setMaxBodySize(settings.getLong("max-body-bytes", 65536));
        if (tls != null) {
            webhooks.setSslContextParameters(tls);
        }
        Listener webhookListener = new Listener(webhooks, true);
        webhookListener.guard = new TrafficGuard(settings.getInt("max-concurrent-requests", 512),
                settings.getLong("rate-limit-per-second", 0), new ClientAddress(settings.getList("trusted-proxies")));
        webhookListener.requestTimeoutMs = settings.getLong("request-timeout-ms", 30_000);
        context.addService(webhookListener);
        context.getComponent("platform-http", PlatformHttpComponent.class)
                .setEngine(new ListenerEngine(webhooks.getBindPort(), !settings.getBoolean("http.blocking-adapters", false)));

        VertxPlatformHttpServerConfiguration management = new VertxPlatformHttpServerConfiguration();
        management.setBindHost(settings.get("management.host", "0.0.0.0"));
        management.setBindPort(settings.getInt("management.port", 9876));
        management.setMaxBodySize(16_384L);
        if (management.getBindPort() == webhooks.getBindPort()) {
            throw new IllegalStateException("MANAGEMENT_PORT must differ from HTTP_PORT: the webhook port exposes webhooks only");
        }
        context.addService(new Listener(management, false));
        context.getRegistry().bind(MANAGEMENT_ENGINE, new ListenerEngine(management.getBindPort(), false));

        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                vertx.close();
            }
        });
    }

    /** HTTPS for the webhook listener from a key store (PKCS12 by default); TLS 1.2 and 1.3 only. */
    static SSLContextParameters tls(CamelContext context, String keystore, String password, String type) {
        if (!Files.isReadable(Path.of(keystore))) {
            throw new IllegalStateException("TLS_KEYSTORE " + keystore + " is not a readable file");
        }
        KeyStoreParameters store = new KeyStoreParameters();
        store.setCamelContext(context);
        store.setResource("file:" + keystore);
        store.setPassword(password);
        store.setType(type);
        KeyManagersParameters keys = new KeyManagersParameters();
        keys.setCamelContext(context);
        keys.setKeyStore(store);
        keys.setKeyPassword(password);
        SecureSocketProtocolsParameters protocols = new SecureSocketProtocolsParameters();
        protocols.setSecureSocketProtocol(List.of("TLSv1.3", "TLSv1.2"));
        SSLContextParameters parameters = new SSLContextParameters();
        parameters.setCamelContext(context);
        parameters.setKeyManagers(keys);
        parameters.setSecureSocketProtocols(protocols);
        return parameters;
    }

    /**
     * Serves platform-http endpoints on the listener of one port: routes on the management port
     * name this engine with {@code platformHttpEngine=#managementHttpEngine}.
     */
    static final class ListenerEngine extends VertxPlatformHttpEngine {

        private final int port;
        private final boolean routesOnEventLoop;

        ListenerEngine(int port, boolean routesOnEventLoop) {
            this.port = port;
            this.routesOnEventLoop = routesOnEventLoop;
        }

        @Override
        public int getServerPort() {
            return port;
        }

        @Override
        public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
            return new CapturingConsumer(endpoint, new StoppingAnswer(processor), getHandlers(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()), routesOnEventLoop);
        }
    }

    /**
     * A request that Vert.x took just before its route stopped is refused by Camel without reaching
     * the route's error handling; it gets the same 503 as any request during shutdown, not a bare 500.
     */
    static final class StoppingAnswer extends DelegateAsyncProcessor {

        StoppingAnswer(Processor processor) {
            super(processor);
        }

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            return super.process(exchange, doneSync -> {
                if (exchange.getException() instanceof RejectedExecutionException) {
                    exchange.setException(null);
                    exchange.getMessage().setHeader("Retry-After", "5");
                    JsonAnswer.error(exchange, 503, "unavailable", "the service is stopping; nothing was accepted, retry later");
                }
                callback.done(doneSync);
            });
        }
    }

    /**
     * platform-http turns a form body into a map and mixes form fields, query parameters and
     * headers into one set of message headers; signatures need the exact bytes and the real
     * headers, so they are kept as the {@link WebhookRequest} exchange property.
     * <p>
     * platform-http runs every route on a Vert.x worker thread, because it cannot know whether the
     * route blocks. Webhook routes do not (the commit wait is asynchronous, see
     * {@code PersistEvent}), so unless {@code http.blocking-adapters} says otherwise they run on the
     * event loop that read the request: no hand-over to a worker and back for every webhook.
     */
    static final class CapturingConsumer extends VertxPlatformHttpConsumer {

        private final boolean onEventLoop;

        CapturingConsumer(PlatformHttpEndpoint endpoint, Processor processor,
                          List<Handler<RoutingContext>> handlers, String routerName, boolean onEventLoop) {
            super(endpoint, processor, handlers, routerName);
            this.onEventLoop = onEventLoop;
        }

        @Override
        protected Future<Void> populateCamelMessage(RoutingContext ctx, Exchange exchange, Message message) {
            Map<String, List<String>> headers = new HashMap<>();
            ctx.request().headers().forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>()).add(h.getValue()));
            byte[] body = ctx.body() != null && ctx.body().available() && ctx.body().buffer() != null
                    ? ctx.body().buffer().getBytes() : null;
            String remote = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
            exchange.setProperty(WebhookRequest.PROPERTY, new WebhookRequest(ctx.request().method().name(),
                    ctx.request().uri(), headers, body, remote));
            return super.populateCamelMessage(ctx, exchange, message);
        }

        @Override
        protected void handleRequest(RoutingContext ctx) {
            if (!onEventLoop) {
                super.handleRequest(ctx);
                return;
            }
            if (isSuspended()) {
                ctx.response().setStatusCode(503);
                ctx.end();
                return;
            }
            Context eventLoop = ctx.vertx().getOrCreateContext();
            Exchange exchange = createExchange(false);
            exchange.setPattern(ExchangePattern.InOut);
            processHttpRequest(exchange, ctx).onComplete(read -> {
                if (read.failed()) {
                    fail(exchange, ctx, read.cause());
                    return;
                }
                try {
                    createUoW(exchange);
                } catch (Exception e) {
                    fail(exchange, ctx, e);
                    return;
                }
                getAsyncProcessor().process(exchange, doneSync -> {
                    if (Vertx.currentContext() == eventLoop) {
                        answer(exchange, ctx);
                    } else {
                        eventLoop.runOnContext(ignored -> answer(exchange, ctx));
                    }
                });
            });
        }

        private void answer(Exchange exchange, RoutingContext ctx) {
            Future<Void> written;
            try {
                written = Responses.write(ctx, exchange, getEndpoint().getHeaderFilterStrategy(), getEndpoint().isMuteException());
            } catch (RuntimeException e) {
                written = Future.failedFuture(e);
            }
            written.onComplete(result -> {
                if (result.failed()) {
                    fail(exchange, ctx, result.cause());
                } else {
                    complete(exchange);
                }
            });
        }

        private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
            getExceptionHandler().handleException("Failed handling webhook " + ctx.request().path(), failure);
            if (!ctx.response().ended()) {
                ctx.fail(failure);
            }
            complete(exchange);
        }

        private void complete(Exchange exchange) {
            doneUoW(exchange);
            releaseExchange(exchange, false);
        }
    }

    /** A Vert.x listener plus JSON answers for what is refused before a route sees it. */
    static final class Listener extends VertxPlatformHttpServer {

        private final VertxPlatformHttpServerConfiguration configuration;
        private final boolean webhooks;
        private TrafficGuard guard;
        private long requestTimeoutMs;

        Listener(VertxPlatformHttpServerConfiguration configuration, boolean webhooks) {
            super(configuration);
            this.configuration = configuration;
            this.webhooks = webhooks;
        }

        /**
         * Webhooks carry no files. platform-http builds its body handler with Vert.x's defaults,
         * which handle uploads: every form request then creates {@code file-uploads/} in the
         * working directory (a 500 where that is read-only, as in the container), and
         * {@code bodyHandler.handleFileUploads=false} of the configuration never reaches it. The
         * router is bound again with a body handler that takes no uploads and writes nothing to disk.
         */
        @Override
        protected void initializeServer() {
            super.initializeServer();
            String name = VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort());
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(), name);
            VertxPlatformHttpServerConfiguration.BodyHandler options = configuration.getBodyHandler();
            Handler<RoutingContext> bodyHandler = BodyHandler.create(false)
                    .setBodyLimit(configuration.getMaxBodySize())
                    .setMergeFormAttributes(options.isMergeFormAttributes())
                    .setPreallocateBodyBuffer(options.isPreallocateBodyBuffer());
            getCamelContext().getRegistry().bind(name, new VertxPlatformHttpRouter(this, getVertx(), router, name,
                    router.getServerType()) {
                @Override
                public Handler<RoutingContext> bodyHandler() {
                    return bodyHandler;
                }
            });
        }

        @Override
        protected void doStart() throws Exception {
            // Vert.x binds asynchronously and only logs a failure; a taken port must stop the start,
            // not leave a service that reports ready while no webhook can reach it
            if (getConfigurationPort() > 0) {
                try (ServerSocket probe = new ServerSocket()) {
                    probe.setReuseAddress(true);
                    probe.bind(new InetSocketAddress(getHost(), getConfigurationPort()));
                } catch (IOException taken) {
                    throw new IllegalStateException("Could not listen on " + getHost() + ":" + getConfigurationPort()
                            + " (is the port in use?): " + taken.getMessage());
                }
            }
            super.doStart();
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(getCamelContext(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort()));
            JsonErrorPages.install(router, webhooks, Metrics.registry(getCamelContext()), getCamelContext());
            // while stopping, routes disappear one by one: answer 503 (retry later), never 404 or 500
            router.route().order(Integer.MIN_VALUE).handler(ctx -> {
                if (getCamelContext().isStopping()) {
                    JsonErrorPages.stopping(ctx, webhooks);
                } else {
                    ctx.next();
                }
            });
            if (guard != null) {
                // before the body is read: a slow or endless body is cut (408), a flood refused early
                router.route("/webhooks/*").order(-100).handler(TimeoutHandler.create(requestTimeoutMs, 408));
                router.route("/webhooks/*").order(-99).handler(guard);
            }
        }
    }
}
