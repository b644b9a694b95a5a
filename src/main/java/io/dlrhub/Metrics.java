package io.dlrhub;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.apache.camel.CamelContext;

/**
 * The service's meters, scraped at {@code /observe/metrics}. One registry per CamelContext,
 * bound as {@code meterRegistry}; provider, sink and reason tags only ever take known values,
 * so a caller cannot grow the number of series.
 */
public final class Metrics {

    public static final String REGISTRY = "meterRegistry";
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5)
    };

    private Metrics() {}

    public static PrometheusMeterRegistry registry(CamelContext context) {
        synchronized (context) {
            PrometheusMeterRegistry registry =
                    context.getRegistry().lookupByNameAndType(REGISTRY, PrometheusMeterRegistry.class);
            if (registry == null) {
                registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                registry.config().commonTags("application", "dlr-hub");
                new JvmMemoryMetrics().bindTo(registry);
                new JvmGcMetrics().bindTo(registry);
                new JvmThreadMetrics().bindTo(registry);
                new ClassLoaderMetrics().bindTo(registry);
                new ProcessorMetrics().bindTo(registry);
                new UptimeMetrics().bindTo(registry);
                context.getRegistry().bind(REGISTRY, PrometheusMeterRegistry.class, registry);
            }
            return registry;
        }
    }

    /** dlrhub_webhooks_total{provider, result=accepted|duplicate|rejected, reason}. */
    public static void webhook(MeterRegistry registry, String provider, String result, String reason) {
        Counter.builder("dlrhub.webhooks")
                .description("Webhook requests by provider and outcome")
                .tag("provider", provider == null ? "-" : provider)
                .tag("result", result)
                .tag("reason", reason == null ? "-" : reason)
                .register(registry)
                .increment();
    }

    /** dlrhub_ingest_seconds: from request to answer, for requests that reached a provider's adapter. */
    public static void ingest(MeterRegistry registry, String provider, Duration elapsed) {
        Timer.builder("dlrhub.ingest")
                .description("Time from webhook request to answer")
                .tag("provider", provider)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry)
                .record(elapsed);
    }

    /** dlrhub_connections_closed_total{listener=webhooks|management, reason=over_address_cap|read_timeout|idle}. */
    public static void connectionClosed(MeterRegistry registry, String listener, String reason) {
        Counter.builder("dlrhub.connections.closed")
                .description("Connections the service closed, by listener and reason")
                .tag("listener", listener)
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** dlrhub_deliveries_total{sink, outcome=delivered|retry|dead}. */
    public static void delivery(MeterRegistry registry, String sink, String outcome, int count) {
        Counter.builder("dlrhub.deliveries")
                .description("Outbox delivery attempts by sink and outcome")
                .tag("sink", sink)
                .tag("outcome", outcome)
                .register(registry)
                .increment(count);
    }

    /**
     * dlrhub_delivery_latency_seconds{sink}: from the event's receipt to its delivery being recorded,
     * retries included. A percentile histogram (buckets from 1 ms to a day) so that quantiles can
     * be aggregated across instances in Prometheus.
     */
    public static Timer deliveryLatency(MeterRegistry registry, String sink) {
        return Timer.builder("dlrhub.delivery.latency")
                .description("Time from receiving an event to delivering it to a sink")
                .tag("sink", sink)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofDays(1))
                .register(registry);
    }

    /**
     * dlrhub_outbox_stale_settles_total{sink}: outcomes not recorded because another instance had
     * taken the delivery over (this one's lease ran out): it may have been sent by both.
     */
    public static void staleSettles(MeterRegistry registry, String sink, int count) {
        Counter.builder("dlrhub.outbox.stale.settles")
                .description("Delivery outcomes not recorded: the delivery was no longer this instance's claim")
                .tag("sink", sink)
                .register(registry)
                .increment(count);
    }

    /** dlrhub_retention_purged_rows_total{table}: rows deleted by the retention job and the explicit purge of dead deliveries. */
    public static void retentionPurged(MeterRegistry registry, String table, long count) {
        Counter.builder("dlrhub.retention.purged.rows")
                .description("Rows deleted by retention, by table")
                .tag("table", table)
                .register(registry)
                .increment(count);
    }

    /** dlrhub_alert_emails_total. */
    public static void alertEmail(MeterRegistry registry) {
        Counter.builder("dlrhub.alert.emails")
                .description("Alert digest e-mails handed to the mail server")
                .register(registry)
                .increment();
    }

    /** dlrhub_store_locked_rows_total: webhooks answered 503 because another session held a row they needed. */
    public static Counter lockedRows(MeterRegistry registry) {
        return Counter.builder("dlrhub.store.locked.rows")
                .description(
                        "Webhooks answered 503 because another database session held a row they needed (lock timeout)")
                .register(registry);
    }
}
