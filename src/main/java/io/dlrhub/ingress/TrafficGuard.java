package io.dlrhub.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.dlrhub.auth.ClientAddress;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps a flood from starving the database, before any body is read or worker thread taken:
 * at most {@code maxConcurrent} webhook requests in progress (503 beyond, with Retry-After), and
 * at most {@code perSecond} requests per client address (429 with Retry-After; 0 = no limit).
 */
final class TrafficGuard implements Handler<RoutingContext> {

    private static final int MAX_TRACKED_CLIENTS = 100_000;

    private final int maxConcurrent;
    private final double perSecond;
    private final ClientAddress clientAddress;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    TrafficGuard(int maxConcurrent, double perSecond, ClientAddress clientAddress) {
        this.maxConcurrent = maxConcurrent;
        this.perSecond = perSecond;
        this.clientAddress = clientAddress;
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (perSecond > 0) {
            String peer = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().hostAddress();
            String client = clientAddress.resolve(peer, ctx.request().headers().getAll("X-Forwarded-For"));
            if (!bucket(client == null ? peer : client).take(perSecond, System.nanoTime())) {
                refuse(ctx, 429, "rate_limited", "more than " + (long) perSecond + " requests per second from this address");
                return;
            }
        }
        if (inFlight.incrementAndGet() > maxConcurrent) {
            inFlight.decrementAndGet();
            refuse(ctx, 503, "overloaded", "too many webhooks in progress; retry shortly");
            return;
        }
        ctx.addEndHandler(done -> inFlight.decrementAndGet());
        ctx.next();
    }

    private Bucket bucket(String client) {
        if (buckets.size() > MAX_TRACKED_CLIENTS) {
            long stale = System.nanoTime() - 10_000_000_000L;
            buckets.values().removeIf(b -> b.last < stale);
            if (buckets.size() > MAX_TRACKED_CLIENTS) {
                buckets.clear();
            }
        }
        return buckets.computeIfAbsent(client, c -> new Bucket(perSecond, System.nanoTime()));
    }

    private static void refuse(RoutingContext ctx, int status, String code, String message) {
        ctx.response().putHeader("Retry-After", "1");
        JsonErrorPages.answer(ctx, true, status, code, message);
    }

    /** A token bucket holding up to one second's worth of requests. */
    private static final class Bucket {

        private double tokens;
        private long last;

        Bucket(double perSecond, long now) {
            this.tokens = perSecond;
            this.last = now;
        }

        synchronized boolean take(double perSecond, long now) {
            tokens = Math.min(perSecond, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
