package io.dlrhub.outbox;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dlrhub.event.EventJson;
import io.dlrhub.observe.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves pending outbox rows to their sink routes. Runs on its own threads, never on a webhook's:
 * each tick starts one job per sink that is not already busy; a job claims due rows, delivers
 * them (several at a time) and records each outcome: delivered, retried later, or dead.
 */
public class OutboxDispatcher {

    public static final String EVENT_ID = "DlrEventId";
    public static final String OUTBOX_ID = "DlrOutboxId";
    public static final String SINK = "DlrSink";
    public static final String ATTEMPT = "DlrAttempt";
    public static final String NOTE = "DlrNote";
    public static final String DIGEST_COUNT = "DlrDigestCount";
    private static final Logger LOG = LoggerFactory.getLogger(OutboxDispatcher.class);

    private final CamelContext context;
    private final OutboxStore store;
    private final Sinks sinks;
    private final ExecutorService jobs;
    private final ExecutorService deliveries;
    private final ProducerTemplate producer;
    private final int batchSize;
    private final Duration lease;
    private final String alertSink;
    private final String instance;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final MeterRegistry metrics;

    public OutboxDispatcher(CamelContext context, OutboxStore store, Sinks sinks, int concurrency, int batchSize,
                            Duration lease, String alertSink) {
        this.context = context;
        this.store = store;
        this.sinks = sinks;
        this.batchSize = batchSize;
        this.lease = lease;
        this.alertSink = alertSink;
        this.instance = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.jobs = context.getExecutorServiceManager().newCachedThreadPool(this, "outbox-sink");
        this.deliveries = context.getExecutorServiceManager().newFixedThreadPool(this, "outbox-delivery", concurrency);
        this.producer = context.createProducerTemplate();
        this.metrics = Metrics.registry(context);
    }

    /** One tick: a job for every sink that has none running. */
    public void tick() {
        for (String sink : sinks.names()) {
            if (busy.add(sink)) {
                try {
                    jobs.submit(() -> runJob(sink));
                } catch (RuntimeException rejected) {
                    busy.remove(sink);
                }
            }
        }
    }

    private void runJob(String sink) {
        try {
            SinkSettings settings = sinks.settings(sink);
            if (settings.isDigest()) {
                List<OutboxRow> rows = store.claimDigest(sink, batchSize, lease, instance);
                if (!rows.isEmpty()) {
                    deliverDigest(settings, rows);
                }
                return;
            }
            List<OutboxRow> rows;
            do {
                rows = store.claimDue(sink, batchSize, lease, instance);
                deliverEach(settings, rows);
            } while (rows.size() == batchSize && context.getStatus().isStarted());
        } catch (RuntimeException e) {
            LOG.warn("Outbox job for sink {} failed, retrying on the next tick: {}", sink, e.getMessage());
        } finally {
            busy.remove(sink);
        }
    }

    private void deliverEach(SinkSettings settings, List<OutboxRow> rows) {
        List<Future<Exchange>> sent = new ArrayList<>();
        for (OutboxRow row : rows) {
            sent.add(deliveries.submit(() -> send(row.sink(), row.payload(), headers(row))));
        }
        List<Long> delivered = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            OutboxRow row = rows.get(i);
            Throwable failure = outcome(sent.get(i));
            if (failure == null) {
                delivered.add(row.id());
            } else {
                failed(settings, List.of(row), failure);
            }
        }
        store.markDelivered(delivered);
        if (!delivered.isEmpty()) {
            Metrics.delivery(metrics, settings.name(), "delivered", delivered.size());
        }
    }

    private void deliverDigest(SinkSettings settings, List<OutboxRow> rows) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (OutboxRow row : rows) {
            Map<String, Object> item = new LinkedHashMap<>(EventJson.MAPPER.convertValue(
                    readTree(row.payload()), new TypeReference<Map<String, Object>>() { }));
            item.put("note", row.note());
            items.add(item);
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(SINK, settings.name());
        headers.put(DIGEST_COUNT, rows.size());
        headers.put(ATTEMPT, rows.stream().mapToInt(OutboxRow::attempts).max().orElse(0) + 1);
        Throwable failure = outcome(deliveries.submit(() -> send(settings.name(), items, headers)));
        List<Long> ids = rows.stream().map(OutboxRow::id).toList();
        if (failure == null) {
            store.markDelivered(ids);
            Metrics.delivery(metrics, settings.name(), "delivered", ids.size());
        } else {
            failed(settings, rows, failure);
        }
    }

    private void failed(SinkSettings settings, List<OutboxRow> rows, Throwable error) {
        DeliveryFailure failure = DeliveryFailure.of(error);
        int attempts = rows.stream().mapToInt(OutboxRow::attempts).max().orElse(0) + 1;
        List<Long> ids = rows.stream().map(OutboxRow::id).toList();
        if (failure.permanent() || settings.isExhausted(attempts)) {
            store.markDead(ids, failure.description());
            Metrics.delivery(metrics, settings.name(), "dead", ids.size());
            for (OutboxRow row : rows) {
                LOG.warn("Delivery {} of event {} to sink {} is dead after {} attempt(s): {}", row.id(), row.eventId(),
                        row.sink(), attempts, failure.description());
                raiseAlert(row, attempts, failure);
            }
        } else {
            Duration delay = settings.retry().delayAfter(attempts, failure.retryAfter());
            store.reschedule(ids, delay, failure.description());
            Metrics.delivery(metrics, settings.name(), "retry", ids.size());
            LOG.info("Delivery to sink {} failed (attempt {}), retrying in {} ms: {}", settings.name(), attempts,
                    delay.toMillis(), failure.description());
        }
    }

    private void raiseAlert(OutboxRow row, int attempts, DeliveryFailure failure) {
        if (row.sink().equals(alertSink) || !sinks.names().contains(alertSink) || !sinks.settings(alertSink).enabled()) {
            return;
        }
        String note = "delivery to " + row.sink() + " is dead after " + attempts + " attempt(s): " + failure.description();
        store.enqueueNote(row.eventId(), alertSink, note, sinks.settings(alertSink).digest());
    }

    private Exchange send(String sink, Object body, Map<String, Object> headers) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeaders(new LinkedHashMap<>(headers));
        exchange.getMessage().setBody(body);
        return producer.send("direct:sink-" + sink, exchange);
    }

    private static Map<String, Object> headers(OutboxRow row) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(EVENT_ID, row.eventId().toString());
        headers.put(OUTBOX_ID, row.id());
        headers.put(SINK, row.sink());
        headers.put(ATTEMPT, row.attempts() + 1);
        if (row.note() != null) {
            headers.put(NOTE, row.note());
        }
        return headers;
    }

    private static Throwable outcome(Future<Exchange> future) {
        try {
            Exchange exchange = future.get();
            return exchange.getException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } catch (Exception e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static Object readTree(String json) {
        try {
            return EventJson.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("Stored payload is not JSON", e);
        }
    }

    /** Stops taking work and gives back what this instance claimed but did not settle. */
    public void shutdown() {
        context.getExecutorServiceManager().shutdownGraceful(jobs);
        context.getExecutorServiceManager().shutdownGraceful(deliveries);
        try {
            int released = store.release(instance);
            if (released > 0) {
                LOG.info("Released {} claimed outbox deliveries for other instances", released);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not release outbox claims (their lease will expire): {}", e.getMessage());
        }
    }
}
