package io.dlrhub.http;

import io.dlrhub.auth.ClientAddress;
import io.dlrhub.http.ClosedConnections.Reason;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections one client cannot hold (issue 17). Vert.x's own idle timeouts restart on every byte
 * read, so a client trickling a header line every few seconds is never cut by them, and a read
 * idle timeout would also close a connection whose webhook is waiting for its commit. Hence
 * deadlines of our own, per connection:
 * <ul>
 * <li>a new connection must deliver its request line and headers within {@code readTimeoutMs};</li>
 * <li>a request's body must have arrived {@code readTimeoutMs} after its headers, else {@code 408}
 *     and the connection is closed (the processing timeout, REQUEST_TIMEOUT_MS, is longer);</li>
 * <li>a kept-alive connection with no request in progress is closed after {@code idleTimeoutMs}
 *     (the next request's headers must be complete by then);</li>
 * <li>at most {@code connectionsPerAddress} open connections per TCP peer: a connection has no
 *     X-Forwarded-For before its first request, so the peer is all there is; connections from a
 *     trusted proxy are not capped here (it carries many clients; {@link TrafficGuard} caps
 *     requests in progress per forwarded client instead).</li>
 * </ul>
 * The connection handler, the request handler and the timers of a connection run on its event
 * loop, except a response ended from a worker thread (routes on worker threads): hence the
 * synchronized {@link Slot}.
 */
final class ConnectionGuard implements Handler<HttpConnection> {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final Vertx vertx;
    private final ConnectionLimits limits;
    private final ClientAddress clientAddress;
    private final ClosedConnections closed;
    private final JsonErrorPages pages;
    private final SlotsPerKey perAddress;
    private final Map<HttpConnection, Slot> open = new ConcurrentHashMap<>();

    ConnectionGuard(
            Vertx vertx,
            ConnectionLimits limits,
            ClientAddress clientAddress,
            ClosedConnections closed,
            JsonErrorPages pages) {
        this.vertx = vertx;
        this.limits = limits;
        this.perAddress = new SlotsPerKey(limits.connectionsPerAddress());
        this.clientAddress = clientAddress;
        this.closed = closed;
        this.pages = pages;
    }

    /** A new connection (after the TLS handshake, which Vert.x bounds by its own 10 s timeout). */
    @Override
    public void handle(HttpConnection connection) {
        String peer = connection.remoteAddress() == null
                ? "-"
                : connection.remoteAddress().hostAddress();
        boolean counted = limits.connectionsPerAddress() > 0 && !clientAddress.trusted(peer);
        if (counted && !perAddress.take(peer)) {
            closed.closed(Reason.OVER_ADDRESS_CAP, peer);
            // closed before anything is read: it has sent no request to answer, and must not keep a file descriptor
            connection.close();
            return;
        }
        Slot slot = new Slot(connection, peer);
        open.put(connection, slot);
        connection.closeHandler(ignored -> {
            open.remove(connection);
            slot.cancel();
            if (counted) {
                perAddress.release(peer);
            }
        });
        slot.await(limits.readTimeoutMs(), Reason.READ_TIMEOUT);
    }

    /** First handler of every request: its headers are complete; its body now has the read timeout. */
    Handler<RoutingContext> requests() {
        return ctx -> {
            Slot slot = open.get(ctx.request().connection());
            if (slot != null) {
                slot.started();
                ctx.addEndHandler(done -> slot.ended());
            }
            if (limits.readTimeoutMs() > 0) {
                bodyDeadline(ctx, slot == null ? null : slot.peer);
            }
            ctx.next();
        };
    }

    /**
     * First failure handler of every request: a request whose connection is gone (the client hung
     * up mid-body, or a deadline here closed it) has no one to answer. Vert.x-web would log each
     * one at ERROR ("Unhandled exception in router"), a flood any client could cause by hanging up.
     */
    Handler<RoutingContext> hangUps() {
        return ctx -> {
            if (ctx.failure() instanceof HttpClosedException) {
                LOG.debug(
                        "Connection closed before its request was answered: {}",
                        ctx.failure().getMessage());
                return;
            }
            ctx.next();
        };
    }

    private void bodyDeadline(RoutingContext ctx, String peer) {
        HttpServerRequest request = ctx.request();
        long timer = vertx.setTimer(limits.readTimeoutMs(), fired -> {
            if (request.isEnded()) {
                return;
            }
            closed.closed(Reason.READ_TIMEOUT, peer);
            if (!ctx.response().headWritten()) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                pages.answer(
                        ctx, 408, "request_timeout", "the request body did not arrive in time (HTTP_READ_TIMEOUT_MS)");
            }
            // the rest of the body would be read as the next request: the connection is done
            ctx.response().close();
        });
        // an answer given before the body arrived (a refusal) keeps the deadline: the connection must not wait for ever
        ctx.addEndHandler(done -> {
            if (request.isEnded()) {
                vertx.cancelTimer(timer);
            }
        });
    }

    /** One connection: requests in progress, and the deadline it runs against while it has none. */
    private final class Slot {

        private final HttpConnection connection;
        private final String peer;
        private int inProgress;
        private long timer = -1;

        Slot(HttpConnection connection, String peer) {
            this.connection = connection;
            this.peer = peer;
        }

        synchronized void started() {
            inProgress++;
            cancel();
        }

        synchronized void ended() {
            if (--inProgress == 0) {
                await(limits.idleTimeoutMs(), Reason.IDLE);
            }
        }

        synchronized void await(long millis, Reason reason) {
            cancel();
            if (millis > 0) {
                timer = vertx.setTimer(millis, fired -> expire(fired, reason));
            }
        }

        private synchronized void expire(long fired, Reason reason) {
            // a timer that fired while a request started (and perhaps ended and set a new one) is stale
            if (timer != fired) {
                return;
            }
            timer = -1;
            if (inProgress == 0) {
                closed.closed(reason, peer);
                connection.close();
            }
        }

        synchronized void cancel() {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}
