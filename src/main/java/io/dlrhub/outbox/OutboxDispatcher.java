package io.dlrhub.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dlrhub.Metrics;
import io.dlrhub.event.EventJson;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * <p>
 * While a batch is being delivered its leases are renewed ({@link HeldClaims}); each outcome is
 * recorded only if the row is still this instance's claim ({@link OutboxStore}), and one row's
 * failure, however odd, never keeps the other rows of its batch from being recorded.
 */
public class OutboxDispatcher implements ClaimHandoff {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxDispatcher.class);
    /** Deliveries handed over and not yet sent, per sink, in batches: beyond that, new ones wait for a poll. */
    private static final int HANDOFF_BATCHES = 20;
    /**
     * Batches a job sends from one source (handed over, then polled) before the other gets its turn:
     * under steady load the hand-off queue never runs dry, and retries and overflow rows, which only
     * a poll finds, must not wait for the load to stop.
     */
    private static final int BATCHES_PER_TURN = 10;
    /** The detail of a "released" attempt: a claim given back without sending (see {@link HeldClaims}). */
    private static final String UNSENT = "given back unsent: too little of its claim was left to send it safely,"
            + " or the instance is stopping; the next poll takes it";

    private final CamelContext context;
    private final OutboxStore store;
    private final Sinks sinks;
    private final ExecutorService jobs;
    /** Per sink, its own threads: a sink that hangs holds only its own, never another sink's. */
    private final Map<String, ExecutorService> deliveries = new ConcurrentHashMap<>();

    private final ProducerTemplate producer;
    private final int batchSize;
    private final Duration lease;
    private final String alertSink;
    private final String instance;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Map<String, Queue<HandedOver>> handedOver = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> handedOverCount = new ConcurrentHashMap<>();
    private final MeterRegistry metrics;
    private final Map<String, Timer> latencies = new ConcurrentHashMap<>();
    private final HeldClaims held;
    private final ScheduledExecutorService renewals;

    public OutboxDispatcher(
            CamelContext context, OutboxStore store, Sinks sinks, int batchSize, Duration lease, String alertSink) {
        this.context = context;
        this.store = store;
        this.sinks = sinks;
        this.batchSize = batchSize;
        this.lease = lease;
        this.alertSink = alertSink;
        this.instance = ManagementFactory.getRuntimeMXBean().getName() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        this.jobs = context.getExecutorServiceManager().newCachedThreadPool(this, "outbox-sink");
        this.producer = context.createProducerTemplate();
        this.metrics = Metrics.registry(context);
        this.held = new HeldClaims(store, instance, lease);
        this.renewals = context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "outbox-lease");
        // every third of the lease: a row sent with more than half of it left is renewed before it ends
        long every = Math.max(1, lease.toMillis() / 3);
        renewals.scheduleWithFixedDelay(held::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** {@code claimedAt}: System.nanoTime() taken before the rows were written claimed. */
    private record HandedOver(List<OutboxRow> rows, long claimedAt) {}

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
        return batchSize * HANDOFF_BATCHES
                - handedOverCount
                        .computeIfAbsent(sink, s -> new AtomicInteger())
                        .get();
    }

    @Override
    public void handOff(List<OutboxRow> rows, long claimedAt) {
        Map<String, List<OutboxRow>> bySink = new LinkedHashMap<>();
        rows.forEach(row ->
                bySink.computeIfAbsent(row.sink(), s -> new ArrayList<>()).add(row));
        bySink.forEach((sink, sinkRows) -> {
            handedOverCount.computeIfAbsent(sink, s -> new AtomicInteger()).addAndGet(sinkRows.size());
            handedOver
                    .computeIfAbsent(sink, s -> new ConcurrentLinkedQueue<>())
                    .add(new HandedOver(sinkRows, claimedAt));
            startJob(sink);
        });
    }

    /**
     * Delivers what was handed over, a batch at a time. A delivery that waited here for half its
     * lease is given back unsent (see {@link HeldClaims}), so a poll takes it and it is never sent by two.
     */
    private void deliverHandedOver(SinkSettings settings) {
        Queue<HandedOver> queue = handedOver.get(settings.name());
        HandedOver next;
        List<OutboxRow> batch = new ArrayList<>();
        int sent = 0;
        while (queue != null && sent < BATCHES_PER_TURN && (next = queue.poll()) != null) {
            handedOverCount.get(settings.name()).addAndGet(-next.rows().size());
            held.hold(next.rows(), next.claimedAt());
            batch.addAll(next.rows());
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
                long claimedAt = System.nanoTime();
                List<OutboxRow> rows = store.claimDigest(sink, batchSize, lease, instance);
                if (!rows.isEmpty()) {
                    held.hold(rows, claimedAt);
                    deliverDigest(settings, rows);
                }
                return;
            }
            List<OutboxRow> rows;
            int turns = 0;
            do {
                long claimedAt = System.nanoTime();
                rows = store.claimDue(sink, batchSize, lease, instance);
                held.hold(rows, claimedAt);
                deliverEach(settings, rows);
            } while (rows.size() == batchSize
                    && ++turns < BATCHES_PER_TURN
                    && context.getStatus().isStarted());
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

    /**
     * Sends the (held) rows, several at a time, and records every outcome. A row that may no longer
     * be sent is given back unsent; whatever goes wrong with one row is logged and leaves the
     * others' outcomes to be recorded (that row keeps its claim until the lease runs out).
     */
    private void deliverEach(SinkSettings settings, List<OutboxRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        List<Future<Exchange>> sent = new ArrayList<>();
        List<Attempt.Timing> timings = new ArrayList<>();
        for (OutboxRow row : rows) {
            Attempt.Timing timing = new Attempt.Timing();
            timings.add(timing);
            try {
                // decided when a delivery thread is free, not when queued: the queue may be long
                sent.add(deliveriesOf(settings)
                        .submit(() -> held.maySend(row)
                                ? timed(timing, () -> send(row.sink(), row.payload(), headers(row)))
                                : null));
            } catch (RejectedExecutionException stopping) {
                sent.add(CompletableFuture.completedFuture(null));
            }
        }
        List<OutboxRow> delivered = new ArrayList<>();
        Map<Long, Attempt> attempts = new HashMap<>();
        List<OutboxRow> unsent = new ArrayList<>();
        int stale = 0;
        for (int i = 0; i < rows.size(); i++) {
            OutboxRow row = rows.get(i);
            try {
                Outcome outcome = outcome(sent.get(i), settings);
                if (!outcome.sent()) {
                    unsent.add(row);
                } else if (outcome.failure() == null) {
                    delivered.add(row);
                    attempts.put(row.id(), Attempt.delivered(timings.get(i), outcome.exchange()));
                } else {
                    stale += failed(settings, List.of(row), outcome.failure(), timings.get(i));
                }
            } catch (RuntimeException e) {
                LOG.warn(
                        "Outbox delivery {} to sink {}: recording its failure failed, it is retried when its lease"
                                + " runs out: {}",
                        row.id(),
                        settings.name(),
                        e.toString());
            }
        }
        try {
            List<OutboxRow> recorded = store.markDelivered(delivered, instance, row -> attempts.get(row.id()));
            stale += delivered.size() - recorded.size();
            delivered(settings.name(), recorded);
            store.giveBack(unsent, instance, row -> Attempt.unsent(UNSENT));
        } catch (RuntimeException e) {
            LOG.warn(
                    "Outbox: could not record {} deliveries to sink {} (they are sent again when their lease runs"
                            + " out): {}",
                    delivered.size(),
                    settings.name(),
                    e.getMessage());
        } finally {
            held.drop(rows);
        }
        staleSettles(settings.name(), rows.size(), stale);
    }

    private void deliverDigest(SinkSettings settings, List<OutboxRow> rows) {
        try {
            if (!held.maySend(rows.get(0))) {
                store.giveBack(rows, instance, row -> Attempt.unsent(UNSENT));
                return;
            }
            List<Map<String, Object>> items = new ArrayList<>();
            for (OutboxRow row : rows) {
                Map<String, Object> item = new LinkedHashMap<>(EventJson.MAPPER.convertValue(
                        readTree(row.payload()), new TypeReference<Map<String, Object>>() {}));
                item.put("note", row.note());
                items.add(item);
            }
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put(SinkHeaders.SINK, settings.name());
            headers.put(SinkHeaders.DIGEST_COUNT, rows.size());
            headers.put(
                    SinkHeaders.ATTEMPT,
                    rows.stream().mapToInt(OutboxRow::attempts).max().orElse(0) + 1);
            Attempt.Timing timing = new Attempt.Timing();
            Outcome outcome = outcome(
                    deliveriesOf(settings).submit(() -> timed(timing, () -> send(settings.name(), items, headers))),
                    settings);
            int stale;
            if (outcome.failure() == null) {
                Attempt attempt = Attempt.delivered(timing, outcome.exchange());
                List<OutboxRow> recorded = store.markDelivered(rows, instance, row -> attempt);
                stale = rows.size() - recorded.size();
                delivered(settings.name(), recorded);
            } else {
                stale = failed(settings, rows, outcome.failure(), timing);
            }
            staleSettles(settings.name(), rows.size(), stale);
        } finally {
            held.drop(rows);
        }
    }

    /** Counts and times what was recorded as delivered: dlrhub_deliveries_total and the latency from receipt. */
    private void delivered(String sink, List<OutboxRow> recorded) {
        if (recorded.isEmpty()) {
            return;
        }
        Metrics.delivery(metrics, sink, "delivered", recorded.size());
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Timer latency = latencies.computeIfAbsent(sink, s -> Metrics.deliveryLatency(metrics, s));
        for (OutboxRow row : recorded) {
            if (row.receivedAt() != null) {
                Duration took = Duration.between(row.receivedAt(), now);
                // another instance's clock received it: never a negative latency
                latency.record(took.isNegative() ? Duration.ZERO : took);
            }
        }
    }

    /** Records a failed attempt of the rows (one delivery); returns how many were no longer this instance's. */
    private int failed(SinkSettings settings, List<OutboxRow> rows, Throwable error, Attempt.Timing timing) {
        DeliveryFailure failure = DeliveryFailure.of(error);
        Attempt attempt = Attempt.failed(timing, error, failure);
        int attempts = rows.stream().mapToInt(OutboxRow::attempts).max().orElse(0) + 1;
        if (failure.permanent() || settings.isExhausted(attempts)) {
            // the alert notes are written with the dead rows, and only for what this instance made dead:
            // a row another instance delivered meanwhile raises no alert
            List<OutboxRow> dead =
                    store.markDead(rows, instance, failure.description(), deadAlert(attempts, failure), row -> attempt);
            if (!dead.isEmpty()) {
                Metrics.delivery(metrics, settings.name(), "dead", dead.size());
            }
            for (OutboxRow row : dead) {
                LOG.warn(
                        "Delivery {} of event {} to sink {} is dead after {} attempt(s): {}",
                        row.id(),
                        row.eventId(),
                        row.sink(),
                        attempts,
                        failure.description());
            }
            return rows.size() - dead.size();
        }
        Duration delay = settings.retry().delayAfter(attempts, failure.retryAfter());
        List<OutboxRow> retried = store.reschedule(rows, instance, delay, failure.description(), row -> attempt);
        if (!retried.isEmpty()) {
            Metrics.delivery(metrics, settings.name(), "retry", retried.size());
            LOG.info(
                    "Delivery to sink {} failed (attempt {}), retrying in {} ms: {}",
                    settings.name(),
                    attempts,
                    delay.toMillis(),
                    failure.description());
        }
        return rows.size() - retried.size();
    }

    /**
     * Outcomes this instance found already recorded by another (its lease ran out and the row was
     * claimed again): nothing was changed. Logged once per batch and counted.
     */
    private void staleSettles(String sink, int batch, int stale) {
        if (stale > 0) {
            LOG.warn(
                    "Outbox: {} of {} deliveries to sink {} were no longer claimed by this instance when their outcome"
                            + " came (their lease ran out and another instance took them over); this instance's outcome was"
                            + " not recorded",
                    stale,
                    batch,
                    sink);
            Metrics.staleSettles(metrics, sink, stale);
        }
    }

    /** The alert sink's note for deliveries made dead; null when there is no alert sink to tell. */
    private OutboxStore.DeadAlert deadAlert(int attempts, DeliveryFailure failure) {
        if (!sinks.names().contains(alertSink) || !sinks.settings(alertSink).enabled()) {
            return null;
        }
        return new OutboxStore.DeadAlert(
                alertSink,
                sinks.settings(alertSink).digest(),
                row -> "delivery to " + row.sink() + " is dead after " + attempts + " attempt(s): "
                        + failure.description());
    }

    private Exchange send(String sink, Object body, Map<String, Object> headers) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeaders(new LinkedHashMap<>(headers));
        exchange.getMessage().setBody(body);
        return producer.send("direct:sink-" + sink, exchange);
    }

    private static Map<String, Object> headers(OutboxRow row) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(SinkHeaders.EVENT_ID, row.eventId().toString());
        headers.put(SinkHeaders.OUTBOX_ID, row.id());
        headers.put(SinkHeaders.SINK, row.sink());
        headers.put(SinkHeaders.ATTEMPT, row.attempts() + 1);
        if (row.note() != null) {
            headers.put(SinkHeaders.NOTE, row.note());
        }
        return headers;
    }

    /**
     * What became of one submitted delivery: not sent (its claim could not be trusted), or sent with
     * this failure (null: delivered; then {@code exchange} is the sink route's result).
     */
    private record Outcome(boolean sent, Throwable failure, Exchange exchange) {

        Outcome(boolean sent, Throwable failure) {
            this(sent, failure, null);
        }
    }

    private static Exchange timed(Attempt.Timing timing, java.util.function.Supplier<Exchange> delivery) {
        timing.start();
        try {
            return delivery.get();
        } finally {
            timing.end();
        }
    }

    private ExecutorService deliveriesOf(SinkSettings settings) {
        return deliveries.computeIfAbsent(
                settings.name(),
                sink -> context.getExecutorServiceManager()
                        .newFixedThreadPool(this, "outbox-delivery-" + sink, settings.concurrency()));
    }

    /**
     * Waits for one delivery at most the sink's timeout (counted from now: rows sent one after the
     * other each get their own time). A delivery that takes longer is a failed attempt, retried with
     * backoff; its thread is interrupted, and if the sink ignores that, only the sink's own pool is short of it.
     */
    private static Outcome outcome(Future<Exchange> future, SinkSettings settings) {
        try {
            Exchange exchange = future.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
            return exchange == null ? new Outcome(false, null) : new Outcome(true, exchange.getException(), exchange);
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Outcome(true, new DeliveryTimeoutException(settings.name(), settings.timeout()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(true, e);
        } catch (Exception e) {
            return new Outcome(true, e.getCause() != null ? e.getCause() : e);
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
        deliveries.values().forEach(pool -> context.getExecutorServiceManager().shutdownGraceful(pool));
        context.getExecutorServiceManager().shutdownNow(renewals);
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
