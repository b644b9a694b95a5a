package io.dlrhub.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * Writes a finished exchange as the HTTP answer exactly as platform-http-vertx does (status, headers
 * through the endpoint's filter, body), by calling its own writer: that writer is package-private,
 * and answering on the event loop must not become a second, diverging copy of it.
 */
final class Responses {

    private static final MethodHandle WRITE;

    static {
        try {
            Class<?> support = Class.forName("org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport");
            WRITE = MethodHandles.privateLookupIn(support, MethodHandles.lookup())
                    .findStatic(
                            support,
                            "writeResponse",
                            MethodType.methodType(
                                    Future.class,
                                    RoutingContext.class,
                                    Exchange.class,
                                    HeaderFilterStrategy.class,
                                    boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("camel-platform-http-vertx has no writeResponse as expected: " + e);
        }
    }

    private Responses() {}

    @SuppressWarnings("unchecked")
    static Future<Void> write(
            RoutingContext ctx, Exchange exchange, HeaderFilterStrategy filter, boolean muteExceptions) {
        try {
            return (Future<Void>) WRITE.invokeExact(ctx, exchange, filter, muteExceptions);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
