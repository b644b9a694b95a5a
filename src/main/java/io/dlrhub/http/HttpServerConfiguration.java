package io.dlrhub.http;

import io.dlrhub.Metrics;
import io.dlrhub.Settings;
import io.dlrhub.auth.ClientAddress;
import io.dlrhub.auth.WebhookRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
import org.apache.camel.component.vertx.common.VertxHelper;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.SecureSocketProtocolsParameters;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The two listeners: the public one on {@code http.port} (webhooks: what ingress plugs in through
 * {@link PublicRoutes}), and the management one on {@code management.port} (health, metrics and the
 * operations API, whose routes name {@link #MANAGEMENT_ENGINE}), so the public port exposes nothing
 * but webhooks. camel-platform-http-main (camel.server.*, camel.management.*) is not available for
 * Camel 4.22 here, so the Vert.x servers are registered the way the platform-http-vertx docs show.
 * <p>
 * Threads: each connection is served by one Vert.x event loop (its guards, timers and error
 * answers run there). Routes on the public listener run on that event loop too, unless
 * {@code http.blocking-adapters=true}; routes on the management listener, which query the database
 * synchronously, run on the Vert.x worker pool ({@code http.worker-threads}), as platform-http does.
 */
public class HttpServerConfiguration implements CamelConfiguration {

    public static final String MANAGEMENT_ENGINE = "managementHttpEngine";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        String keystore = settings.get("tls.keystore", null);
        SSLContextParameters tls = keystore == null
                ? null
                : tls(
                        context,
                        keystore,
                        settings.get("tls.keystore-password", ""),
                        settings.get("tls.keystore-type", "PKCS12"));
        // one Vert.x for both listeners, found by the servers in the registry. Its worker threads serve
        // the operations API, and webhook routes only with http.blocking-adapters=true: by default
        // webhooks run on the event loop and wait for their commit without a thread (CapturingConsumer)
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.getInt("http.worker-threads", 64)));
        context.getRegistry().bind("vertx", Vertx.class, vertx);

        VertxPlatformHttpServerConfiguration webhooks = new VertxPlatformHttpServerConfiguration();
        webhooks.setBindHost(settings.get("http.host", "0.0.0.0"));
        webhooks.setBindPort(settings.getInt("http.port", 8080));
        webhooks.setMaxBodySize(settings.getLong("max-body-bytes", 65536));
        if (tls != null) {
            webhooks.setSslContextParameters(tls);
        }
        ConnectionLimits limits = ConnectionLimits.from(settings);
        ClientAddress clientAddress = new ClientAddress(settings.getList("trusted-proxies"));
        long requestTimeoutMs = settings.getLong("request-timeout-ms", 30_000);
        Listener webhookListener = new Listener(webhooks, true, limits, clientAddress, requestTimeoutMs);
        webhookListener.guard = new TrafficGuard(
                settings.getInt("max-concurrent-requests", 512),
                limits.requestsPerAddress(),
                settings.getLong("rate-limit-per-second", 0),
                clientAddress,
                webhookListener.pages);
        context.addService(webhookListener);
        context.getComponent("platform-http", PlatformHttpComponent.class)
                .setEngine(new ListenerEngine(
                        webhooks.getBindPort(), !settings.getBoolean("http.blocking-adapters", false)));

        VertxPlatformHttpServerConfiguration management = new VertxPlatformHttpServerConfiguration();
        management.setBindHost(settings.get("management.host", "0.0.0.0"));
        management.setBindPort(settings.getInt("management.port", 9876));
        management.setMaxBodySize(16_384L);
        if (management.getBindPort() == webhooks.getBindPort()) {
            throw new IllegalStateException(
                    "MANAGEMENT_PORT must differ from HTTP_PORT: the webhook port exposes webhooks only");
        }
        Listener managementListener = new Listener(management, false, limits, clientAddress, requestTimeoutMs);
        // no shared pool of slots to protect here, but one address must not hold all of them either
        managementListener.guard = new TrafficGuard(
                Integer.MAX_VALUE, limits.requestsPerAddress(), 0, clientAddress, managementListener.pages);
        context.addService(managementListener);
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
            return new CapturingConsumer(
                    endpoint,
                    new StoppingAnswer(processor),
                    getHandlers(),
                    VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()),
                    routesOnEventLoop);
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
                    JsonAnswer.retryAfter(exchange, "5");
                    JsonAnswer.error(
                            exchange, 503, "unavailable", "the service is stopping; nothing was accepted, retry later");
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

        CapturingConsumer(
                PlatformHttpEndpoint endpoint,
                Processor processor,
                List<Handler<RoutingContext>> handlers,
                String routerName,
                boolean onEventLoop) {
            super(endpoint, processor, handlers, routerName);
            this.onEventLoop = onEventLoop;
        }

        @Override
        protected Future<Void> populateCamelMessage(RoutingContext ctx, Exchange exchange, Message message) {
            Map<String, List<String>> headers = new HashMap<>();
            ctx.request()
                    .headers()
                    .forEach(h -> headers.computeIfAbsent(h.getKey(), k -> new ArrayList<>())
                            .add(h.getValue()));
            byte[] body =
                    ctx.body() != null && ctx.body().available() && ctx.body().buffer() != null
                            ? ctx.body().buffer().getBytes()
                            : null;
            String remote = ctx.request().remoteAddress() == null
                    ? null
                    : ctx.request().remoteAddress().hostAddress();
            // path parameters as the router matched them: the Camel headers of the same name also take query parameters
            exchange.setProperty(
                    WebhookRequest.PROPERTY,
                    new WebhookRequest(
                            ctx.request().method().name(),
                            ctx.request().uri(),
                            headers,
                            body,
                            remote,
                            ctx.pathParams()));
            exchange.setProperty(ExactSource.TLS, ctx.request().isSSL());
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
                written = Responses.write(
                        ctx,
                        exchange,
                        getEndpoint().getHeaderFilterStrategy(),
                        getEndpoint().isMuteException());
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
            getExceptionHandler()
                    .handleException("Failed handling webhook " + ctx.request().path(), failure);
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

    /**
     * A Vert.x listener plus JSON answers for what is refused before a route sees it, and the
     * connection limits of {@link ConnectionGuard}. platform-http creates its HTTP server from
     * default options with no hook for them (nor for a connection handler), so the listener
     * creates the server itself ({@link #startServer()}).
     */
    static final class Listener extends VertxPlatformHttpServer {

        private final VertxPlatformHttpServerConfiguration configuration;
        /** the public listener: the routes behind it may plug in (PublicRoutes) */
        private final boolean publicListener;

        private final ConnectionLimits limits;
        private final ClientAddress clientAddress;
        private final long requestTimeoutMs;
        private final JsonErrorPages pages = new JsonErrorPages();
        private TrafficGuard guard;
        private ClosedConnections closed;
        private ConnectionGuard connections;
        private Router root;
        private HttpServer server;
        private long flushTimer = -1;

        Listener(
                VertxPlatformHttpServerConfiguration configuration,
                boolean publicListener,
                ConnectionLimits limits,
                ClientAddress clientAddress,
                long requestTimeoutMs) {
            super(configuration);
            this.configuration = configuration;
            this.publicListener = publicListener;
            this.limits = limits;
            this.clientAddress = clientAddress;
            this.requestTimeoutMs = requestTimeoutMs;
        }

        @Override
        protected void doInit() throws Exception {
            super.doInit();
            closed = new ClosedConnections(
                    publicListener ? "webhooks" : "management", Metrics.registry(getCamelContext()));
        }

        /**
         * What {@code VertxPlatformHttpServer.startServer()} does (TLS from the configuration, the
         * root router, listen), on options and handlers of our own. Unlike it, a failure to listen
         * fails the start instead of being only logged.
         */
        @Override
        protected void startServer() throws Exception {
            HttpServerOptions options = serverOptions(limits, requestTimeoutMs);
            if (configuration.getSslContextParameters() != null) {
                VertxHelper.setupSSLOptions(getCamelContext(), configuration.getSslContextParameters(), options);
            }
            HttpServer created = getVertx()
                    .createHttpServer(options)
                    .connectionHandler(connections)
                    .requestHandler(root);
            try {
                server = created.listen(configuration.getBindPort(), configuration.getBindHost())
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(30, TimeUnit.SECONDS);
            } catch (ExecutionException failed) {
                throw new IllegalStateException(
                        "Could not listen on " + getHost() + ":" + getConfigurationPort() + ": "
                                + failed.getCause().getMessage(),
                        failed.getCause());
            }
            flushTimer = getVertx()
                    .setPeriodic(
                            TimeUnit.SECONDS.toMillis(ClosedConnections.WINDOW_SECONDS), ignored -> closed.flush());
        }

        /**
         * HTTP/1.1 only, Vert.x's size limits made explicit, and one backstop. With cleartext HTTP/2
         * (h2c, on by default) Vert.x hands an HTTP/1 connection to the connection handler only once
         * its first request has been read (it might ask to upgrade), so neither the header deadline
         * nor the per-address cap of {@link ConnectionGuard} would see a connection that trickles
         * its headers or sends nothing; no provider needs h2c. Request line 4 KiB and headers 8 KiB
         * (a webhook URL with its token and a provider's headers fit many times; beyond, Vert.x
         * answers 414/431 and closes). Vert.x's idle timeout closes a connection with no byte read
         * or written at all: set above the longest legitimate silence (waiting idle, then a whole
         * REQUEST_TIMEOUT_MS of processing), it only ends what our own deadlines cannot see, such as a
         * client that stopped reading its answer.
         */
        static HttpServerOptions serverOptions(ConnectionLimits limits, long requestTimeoutMs) {
            HttpServerOptions options = new HttpServerOptions()
                    .setHttp2ClearTextEnabled(false)
                    .setMaxInitialLineLength(HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH)
                    .setMaxHeaderSize(HttpServerOptions.DEFAULT_MAX_HEADER_SIZE);
            if (limits.idleTimeoutMs() > 0) {
                long backstop = limits.idleTimeoutMs() + Math.max(requestTimeoutMs, limits.readTimeoutMs());
                options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                        .setIdleTimeout((int) Math.min(backstop, Integer.MAX_VALUE));
            }
            return options;
        }

        @Override
        public int getPort() {
            HttpServer listening = server;
            return listening != null ? listening.actualPort() : getConfigurationPort();
        }

        @Override
        public HttpServer getServer() {
            return server;
        }

        /** As platform-http's: close the server (and its connections), and forget the component. */
        @Override
        protected void stopServer() {
            HttpServer listening = server;
            if (listening == null) {
                return;
            }
            server = null;
            if (flushTimer >= 0) {
                getVertx().cancelTimer(flushTimer);
                flushTimer = -1;
            }
            closed.flush();
            getCamelContext().removeComponent("platform-http");
            try {
                listening.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Could not stop the listener on port " + getConfigurationPort(), e);
            }
        }

        /**
         * Webhooks carry no files. platform-http builds its body handler with Vert.x's defaults,
         * which handle uploads: every form request then creates {@code file-uploads/} in the
         * working directory (a 500 where that is read-only, as in the container), and
         * {@code bodyHandler.handleFileUploads=false} of the configuration never reaches it. The
         * router is bound with a body handler that takes no uploads and writes nothing to disk.
         */
        @Override
        protected void initializeServer() {
            // what platform-http's initializeServer() does with CORS, sessions and authentication off (dlr-hub
            // configures none), on routers of our own: the server needs the root one, platform-http keeps it private
            String name = VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort());
            Router routes = Router.router(getVertx());
            root = Router.router(getVertx());
            connections = new ConnectionGuard(getVertx(), limits, clientAddress, closed, pages);
            root.route()
                    .order(Integer.MIN_VALUE)
                    .handler(connections.requests())
                    .failureHandler(connections.hangUps());
            root.route(configuration.getPath() + "*").subRouter(routes);
            VertxPlatformHttpServerConfiguration.BodyHandler options = configuration.getBodyHandler();
            Handler<RoutingContext> vertxBodyHandler = BodyHandler.create(false)
                    .setBodyLimit(configuration.getMaxBodySize())
                    .setMergeFormAttributes(options.isMergeFormAttributes())
                    .setPreallocateBodyBuffer(options.isPreallocateBodyBuffer());
            Handler<RoutingContext> bodyHandler = ctx -> {
                vertxBodyHandler.handle(ctx);
                // The body handler asks Vert.x to decode a form body as well, but nothing reads its
                // fields: dlr-hub decodes the raw bytes itself (RequestGuards.requireForm). The decoding
                // was 3.5 % of the CPU samples under load (Netty runs a regex over every field name):
                // the bytes are collected, nothing is decoded.
                if (!ctx.request().isEnded()) {
                    ctx.request().setExpectMultipart(false);
                }
            };
            getCamelContext()
                    .getRegistry()
                    .bind(
                            name,
                            new VertxPlatformHttpRouter(this, getVertx(), routes, name, configuration.getServerType()) {
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
            // the routes are configured when the context starts its services: their hook is bound by now
            PublicRoutes routes = publicListener ? publicRoutes() : PublicRoutes.NONE;
            pages.plugIn(routes);
            super.doStart();
            VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(
                    getCamelContext(), VertxPlatformHttpRouter.getRouterNameFromPort(getConfigurationPort()));
            pages.install(router);
            // while stopping, routes disappear one by one: answer 503 (retry later), never 404 or 500
            router.route().order(Integer.MIN_VALUE).handler(ctx -> {
                if (getCamelContext().isStopping()) {
                    pages.stopping(ctx);
                } else {
                    ctx.next();
                }
            });
            // before any body handler: Vert.x answers a GET with a form Content-Type with a 500
            router.route().order(-98).handler(new FormBodyGuard(pages));
            if (publicListener) {
                // before the body is read: a request that takes too long is cut (408), a flood refused early
                router.route(routes.path() + "*").order(-100).handler(TimeoutHandler.create(requestTimeoutMs, 408));
                router.route(routes.path() + "*").order(-99).handler(guard);
            } else {
                router.route().order(-101).handler(new ManagementHeaders());
                router.route().order(-99).handler(guard);
            }
        }

        /** What ingress plugged in (http does not import it), or nothing: then answers as on the management port. */
        private PublicRoutes publicRoutes() {
            Set<PublicRoutes> bound = getCamelContext().getRegistry().findByType(PublicRoutes.class);
            if (bound.size() > 1) {
                throw new IllegalStateException("more than one PublicRoutes bean in the registry: " + bound);
            }
            return bound.isEmpty() ? PublicRoutes.NONE : bound.iterator().next();
        }
    }
}
