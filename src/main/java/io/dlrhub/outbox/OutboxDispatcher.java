package io.dlrhub.outbox;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
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
 * them (several at a time) and records each outcome: delivered, retried later, or dead. New
 * deliveries do not wait for a tick: they are handed over as soon as their event commits.
 */
public class OutboxDispatcher implements ClaimHandoff {

    public static final String EVENT_ID = "DlrEventId";
    public static final String OUTBOX_ID = "DlrOutboxId";
    public static final String SINK = "DlrSink";
    public static final String ATTEMPT = "DlrAttempt";
    public static final String NOTE = "DlrNote";
    public static final String DIGEST_COUNT = "DlrDigestCount";
    private static final Logger LOG = LoggerFactory.getLogger(OutboxDispatcher.class);
    /** Deliveries handed over and not yet sent, per sink, in batches: beyond that, new ones wait for a poll. */
    private static final int HANDOFF_BATCHES = 20;
    /**
     * Batches a job sends from one source (handed over, then polled) before the other gets its turn:
     * under steady load the hand-off queue never runs dry, and retries and overflow rows, which only
     * a poll finds, must not wait for the load to stop.
     */
    private static final int BATCHES_PER_TURN = 10;

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
    private final Map<String, Queue<HandedOver>> handedOver = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> handedOverCount = new ConcurrentHashMap<>();
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

    private record HandedOver(List<OutboxRow> rows, OffsetDateTime leaseUntil) {
    }

    /** One tick: a job for every sink that has none running. */
    public void tick() {
        sinks.names().forEach(this::startJob);
    }

    private void startJob(String sink) {
        if (busy.add(sink)) {
            try {
                jobs.submit(() -> runJob(sink));
            } catch (RuntimeException rejected) {
                busy.remove(sink);
            }
        }
    }

    @Override
    public String claimant() {
        return instance;
    }

    @Override
    public Duration lease() {
        return lease;
    }

    @Override
    public int room(String sink) {
        return batchSize * HANDOFF_BATCHES - handedOverCount.computeIfAbsent(sink, s -> new AtomicInteger()).get();
    }

    @Override
    public void handOff(List<OutboxRow> rows, OffsetDateTime leaseUntil) {
        Map<String, List<OutboxRow>> bySink = new LinkedHashMap<>();
        rows.forEach(row -> bySink.computeIfAbsent(row.sink(), s -> new ArrayList<>()).add(row));
        bySink.forEach((sink, sinkRows) -> {
            handedOverCount.computeIfAbsent(sink, s -> new AtomicInteger()).addAndGet(sinkRows.size());
            handedOver.computeIfAbsent(sink, s -> new ConcurrentLinkedQueue<>()).add(new HandedOver(sinkRows, leaseUntil));
            startJob(sink);
        });
    }

    /**
     * Delivers what was handed over, a batch at a time. A delivery that waited here for half its
     * lease is left alone: its lease will run out and a poll takes it, so it is never sent by two.
     */
    private void deliverHandedOver(SinkSettings settings) {
        Queue<HandedOver> queue = handedOver.get(settings.name());
        HandedOver next;
        List<OutboxRow> batch = new ArrayList<>();
        int sent = 0;
        while (queue != null && sent < BATCHES_PER_TURN && (next = queue.poll()) != null) {
            handedOverCount.get(settings.name()).addAndGet(-next.rows().size());
            if (store.now().isBefore(next.leaseUntil().minus(lease.dividedBy(2)))) {
                batch.addAll(next.rows());
            }
            if (batch.size() >= batchSize || queue.isEmpty()) {
                deliverEach(settings, batch);
                batch = new ArrayList<>();
                sent++;
            }
        }
        if (!batch.isEmpty()) {
            deliverEach(settings, batch);
        }
    }

    private void runJob(String sink) {
        try {
            SinkSettings settings = sinks.settings(sink);
            deliverHandedOver(settings);
            if (settings.isDigest()) {
                List<OutboxRow> rows = store.claimDigest(sink, batchSize, lease, instance);
                if (!rows.isEmpty()) {
                    deliverDigest(settings, rows);
                }
                return;
            }
            List<OutboxRow> rows;
            int turns = 0;
            do {
                rows = store.claimDue(sink, batchSize, lease, instance);
                deliverEach(settings, rows);
            } while (rows.size() == batchSize && ++turns < BATCHES_PER_TURN && context.getStatus().isStarted());
        } catch (RuntimeException e) {
            LOG.warn("Outbox job for sink {} failed, retrying on the next tick: {}", sink, e.getMessage());
        } finally {
            busy.remove(sink);
        }
        // more handed over (or left after this job's turn): start again rather than wait for the next tick
        Queue<HandedOver> queue = handedOver.get(sink);
        if (queue != null && !queue.isEmpty() && context.getStatus().isStarted()) {
            startJob(sink);
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
        // from now on new deliveries are written unclaimed, for whichever instance polls next
        store.handOffTo(null);
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
