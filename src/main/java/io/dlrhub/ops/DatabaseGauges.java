package io.dlrhub.ops;

import io.dlrhub.outbox.OutboxStore;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.retention.RetentionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gauges read from the database, refreshed at a scrape when older than
 * {@code metrics.database-refresh-ms}, so that several scrapers (or a fast one) cost the database
 * one round of queries per interval:
 * <ul>
 *   <li>{@code dlrhub_outbox_rows{sink, state=pending|dead}}: counted over those rows only (state-first index)</li>
 *   <li>{@code dlrhub_outbox_oldest_pending_age_seconds{sink}}: age of the oldest pending delivery, 0 when none;
 *       computed from the cached creation time at each scrape, so it keeps growing between refreshes</li>
 *   <li>{@code dlrhub_table_rows{table}}: the database's row estimate (never COUNT(*) on a big table)</li>
 * </ul>
 * A database that does not answer leaves the last values; readiness reports it.
 */
final class DatabaseGauges {

    private final OutboxStore outbox;
    private final Sinks sinks;
    private final RetentionStore tables;
    private final MeterRegistry metrics;
    private final Duration refresh;
    private final Clock clock;
    private final Map<String, AtomicLong> outboxRows = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<OffsetDateTime>> oldestPending = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> tableRows = new ConcurrentHashMap<>();
    private volatile long refreshedAt;
    private volatile boolean refreshed;

    DatabaseGauges(
            OutboxStore outbox,
            Sinks sinks,
            RetentionStore tables,
            MeterRegistry metrics,
            Duration refresh,
            Clock clock) {
        this.outbox = outbox;
        this.sinks = sinks;
        this.tables = tables;
        this.metrics = metrics;
        this.refresh = refresh;
        this.clock = clock;
    }

    /** Before a scrape: queries the database again if the values are older than the refresh interval. */
    synchronized void refreshIfStale() {
        long now = System.nanoTime();
        if (refreshed && now - refreshedAt < refresh.toNanos()) {
            return;
        }
        refreshedAt = now;
        refreshed = true;
        try {
            Map<String, OutboxStore.Backlog> backlog = outbox.backlog();
            Set<String> sinkNames = new TreeSet<>(sinks.names());
            sinkNames.addAll(backlog.keySet());
            for (String sink : sinkNames) {
                OutboxStore.Backlog pending = backlog.get(sink);
                oldest(sink).set(pending == null ? null : pending.oldestCreatedAt());
            }
            outboxRows.forEach((key, value) -> value.set(0));
            backlog.forEach((sink, pending) -> rows(sink, OutboxStore.PENDING).set(pending.pending()));
            outbox.countByState(OutboxStore.DEAD)
                    .forEach((sink, count) -> rows(sink, OutboxStore.DEAD).set(count));
            tables.estimatedRows()
                    .forEach((table, count) -> tableRows
                            .computeIfAbsent(table, t -> {
                                AtomicLong holder = new AtomicLong();
                                Gauge.builder("dlrhub.table.rows", holder, AtomicLong::get)
                                        .description(
                                                "Rows in a table, as the database estimates them (PostgreSQL: pg_class.reltuples)")
                                        .tag("table", t)
                                        .register(metrics);
                                return holder;
                            })
                            .set(count));
        } catch (RuntimeException databaseDown) {
            // the gauges keep their last values; readiness reports the database
        }
    }

    private AtomicLong rows(String sink, String state) {
        return outboxRows.computeIfAbsent(sink + "/" + state, key -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("dlrhub.outbox.rows", holder, AtomicLong::get)
                    .description("Outbox deliveries by sink and state")
                    .tag("sink", sink)
                    .tag("state", state)
                    .register(metrics);
            return holder;
        });
    }

    private AtomicReference<OffsetDateTime> oldest(String sink) {
        return oldestPending.computeIfAbsent(sink, key -> {
            AtomicReference<OffsetDateTime> holder = new AtomicReference<>();
            Gauge.builder("dlrhub.outbox.oldest.pending.age", holder, this::ageSeconds)
                    .description("Age of the oldest pending delivery of a sink (0: none pending)")
                    .baseUnit("seconds")
                    .tag("sink", sink)
                    .register(metrics);
            return holder;
        });
    }

    private double ageSeconds(AtomicReference<OffsetDateTime> oldest) {
        OffsetDateTime created = oldest.get();
        if (created == null) {
            return 0;
        }
        // created by another instance's clock, maybe a little ahead: never a negative age
        return Math.max(0, Duration.between(created, OffsetDateTime.now(clock)).toMillis() / 1000.0);
    }
}
