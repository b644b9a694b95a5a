package io.dlrhub.http;

import io.dlrhub.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections a listener closed on its own: counted in {@code dlrhub_connections_closed_total}
 * and, for the ones a client caused, summed up in at most one WARN line per {@link #WINDOW_SECONDS}
 * (flushed by a timer), so an attacker opening thousands of connections cannot flood the log.
 */
final class ClosedConnections {

    static final long WINDOW_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(ClosedConnections.class);
    /** addresses remembered per window for the "most from" hint; beyond, only the totals grow */
    private static final int MAX_TRACKED_ADDRESSES = 10_000;

    enum Reason {
        /** over the per-address connection cap: closed as soon as accepted */
        OVER_ADDRESS_CAP("over_address_cap", true),
        /** request line and headers, or the body, not complete within the read timeout */
        READ_TIMEOUT("read_timeout", true),
        /** kept alive with nothing to do for the idle timeout: normal housekeeping, not logged */
        IDLE("idle", false);

        final String tag;
        final boolean logged;

        Reason(String tag, boolean logged) {
            this.tag = tag;
            this.logged = logged;
        }
    }

    private final String listener;
    private final MeterRegistry metrics;
    private final LongAdder overCap = new LongAdder();
    private final LongAdder readTimeouts = new LongAdder();
    private final Map<String, LongAdder> byAddress = new ConcurrentHashMap<>();

    /** @param listener {@code webhooks} or {@code management}: the metric tag and the log's subject */
    ClosedConnections(String listener, MeterRegistry metrics) {
        this.listener = listener;
        this.metrics = metrics;
    }

    void closed(Reason reason, String address) {
        Metrics.connectionClosed(metrics, listener, reason.tag);
        if (!reason.logged) {
            return;
        }
        (reason == Reason.OVER_ADDRESS_CAP ? overCap : readTimeouts).increment();
        if (address != null && (byAddress.size() < MAX_TRACKED_ADDRESSES || byAddress.containsKey(address))) {
            byAddress.computeIfAbsent(address, a -> new LongAdder()).increment();
        }
    }

    /** One WARN line for the last window, if anything was closed in it. */
    void flush() {
        long over = overCap.sumThenReset();
        long slow = readTimeouts.sumThenReset();
        Map.Entry<String, LongAdder> top = byAddress.entrySet().stream()
                .max(Comparator.comparingLong(e -> e.getValue().sum()))
                .orElse(null);
        byAddress.clear();
        if (over + slow == 0) {
            return;
        }
        LOG.warn(
                "The {} listener closed {} connection(s) in the last {} s: {} over HTTP_MAX_CONNECTIONS_PER_ADDRESS, "
                        + "{} without a complete request (headers or body) within HTTP_READ_TIMEOUT_MS; most from {} ({})",
                listener,
                over + slow,
                WINDOW_SECONDS,
                over,
                slow,
                top == null ? "-" : top.getKey(),
                top == null ? 0 : top.getValue().sum());
    }
}
