package io.dlrhub.retention;

import io.dlrhub.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One retention run: walks the events older than the window from the oldest, a batch at a time,
 * each batch its own short transaction, with a pause after every batch that deleted something so
 * that the webhooks' transactions always get the database between two of ours. Runs on the
 * retention timer's thread, never a webhook's. A window of zero purges nothing (RETENTION_DAYS=0:
 * keep for ever).
 */
public class RetentionJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final RetentionStore store;
    private final Duration window;
    private final int batchSize;
    private final Duration pause;
    private final MeterRegistry metrics;
    private final Clock clock;

    public RetentionJob(
            RetentionStore store, Duration window, int batchSize, Duration pause, MeterRegistry metrics, Clock clock) {
        if (batchSize < 1) {
            throw new IllegalStateException(
                    "RETENTION_BATCH_SIZE (retention.batch-size) must be at least 1, got " + batchSize);
        }
        this.store = store;
        this.window = window;
        this.batchSize = batchSize;
        this.pause = pause;
        this.metrics = metrics;
        this.clock = clock;
    }

    public boolean enabled() {
        return !window.isZero();
    }

    /**
     * Purges everything older than the window that may go; returns the rows deleted per table.
     * Stops early, between two batches, when {@code keepGoing} says so (the service is stopping).
     */
    public Map<String, Long> run(BooleanSupplier keepGoing) {
        Map<String, Long> total = new LinkedHashMap<>();
        RetentionStore.TABLES.forEach(table -> total.put(table, 0L));
        if (!enabled()) {
            return total;
        }
        long started = System.nanoTime();
        OffsetDateTime cutoff =
                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).minus(window);
        RetentionStore.Cursor cursor = RetentionStore.Cursor.START;
        int batches = 0;
        while (cursor != null && keepGoing.getAsBoolean()) {
            RetentionStore.Batch batch = store.purgeBatch(cutoff, cursor, batchSize);
            batches++;
            batch.deleted().forEach((table, count) -> {
                if (count > 0) {
                    total.merge(table, (long) count, Long::sum);
                    Metrics.retentionPurged(metrics, table, count);
                }
            });
            cursor = batch.next();
            if (cursor != null && batch.total() > 0 && !sleep(pause)) {
                break;
            }
        }
        long purged = total.values().stream().mapToLong(Long::longValue).sum();
        if (purged > 0) {
            LOG.info(
                    "Retention: purged what was received before {} and fully delivered, in {} batch(es), {} ms: {}",
                    cutoff,
                    batches,
                    Duration.ofNanos(System.nanoTime() - started).toMillis(),
                    total);
        }
        return total;
    }

    /** Explicit purge of dead deliveries (operations API), in batches like a run; at most {@code max} deliveries. */
    public Map<String, Long> purgeDead(OffsetDateTime before, String sink, int max) {
        Map<String, Long> total = new LinkedHashMap<>();
        total.put("delivery_attempt", 0L);
        total.put("outbox", 0L);
        int left = max;
        while (left > 0) {
            int wanted = Math.min(batchSize, left);
            Map<String, Integer> deleted = store.purgeDead(before, sink, wanted);
            deleted.forEach((table, count) -> {
                if (count > 0) {
                    total.merge(table, (long) count, Long::sum);
                    Metrics.retentionPurged(metrics, table, count);
                }
            });
            int outbox = deleted.get("outbox");
            left -= outbox;
            // fewer than asked for: none left (or replayed meanwhile)
            if (outbox < wanted || left == 0 || !sleep(pause)) {
                break;
            }
        }
        return total;
    }

    /** False when interrupted (the service is stopping). */
    private static boolean sleep(Duration pause) {
        if (pause.isZero()) {
            return true;
        }
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
