package io.dlrhub.http;

import io.dlrhub.auth.ClientAddress;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps a flood from starving the database, before any body is read or worker thread taken:
 * at most {@code perSecond} requests per client address (429 with Retry-After; 0 = no limit),
 * at most {@code maxPerClient} requests in progress per client address (429 with Retry-After;
 * 0 = no limit), and at most {@code maxConcurrent} requests in progress in all (503 beyond, with
 * Retry-After). The per-client cap is checked first, so one address, whose requests may stall
 * before authentication, cannot take the slots every provider shares. The client is the TCP peer,
 * or behind a trusted proxy the forwarded client ({@link ClientAddress}).
 */
final class TrafficGuard implements Handler<RoutingContext> {

    private static final int MAX_TRACKED_CLIENTS = 100_000;

    private final int maxConcurrent;
    private final int maxPerClient;
    private final double perSecond;
    private final ClientAddress clientAddress;
    private final JsonErrorPages pages;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** only clients with a request in progress: an entry goes with its last request */
    private final SlotsPerKey inFlightPerClient;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param pages the listener's error answers (on the public listener, refusals are also logged and counted) */
    TrafficGuard(
            int maxConcurrent, int maxPerClient, double perSecond, ClientAddress clientAddress, JsonErrorPages pages) {
        this.maxConcurrent = maxConcurrent;
        this.maxPerClient = maxPerClient;
        this.inFlightPerClient = new SlotsPerKey(maxPerClient);
        this.perSecond = perSecond;
        this.clientAddress = clientAddress;
        this.pages = pages;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String client = perSecond > 0 || maxPerClient > 0 ? client(ctx) : null;
        if (perSecond > 0 && !bucket(client).take(perSecond, System.nanoTime())) {
            refuse(
                    ctx,
                    429,
                    "rate_limited",
                    "more than " + (long) perSecond + " requests per second from this address");
            return;
        }
        if (maxPerClient > 0 && !inFlightPerClient.take(client)) {
            refuse(
                    ctx,
                    429,
                    "too_many_in_progress",
                    "more than " + maxPerClient + " requests in progress from this address; retry shortly");
            return;
        }
        if (inFlight.incrementAndGet() > maxConcurrent) {
            inFlight.decrementAndGet();
            if (maxPerClient > 0) {
                inFlightPerClient.release(client);
            }
            refuse(ctx, 503, "overloaded", "too many webhooks in progress; retry shortly");
            return;
        }
        ctx.addEndHandler(done -> {
            inFlight.decrementAndGet();
            if (maxPerClient > 0) {
                inFlightPerClient.release(client);
            }
        });
        ctx.next();
    }

    private String client(RoutingContext ctx) {
        String peer = ctx.request().remoteAddress() == null
                ? "-"
                : ctx.request().remoteAddress().hostAddress();
        String client = clientAddress.resolve(peer, ctx.request().headers().getAll("X-Forwarded-For"));
        return client == null ? peer : client;
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

    private void refuse(RoutingContext ctx, int status, String code, String message) {
        ctx.response().putHeader("Retry-After", "1");
        pages.answer(ctx, status, code, message);
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
