package io.dlrhub.store;

import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.InvalidEventException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: webhooks that arrive while a transaction is being committed are stored together
 * in the next one, and each caller is answered only when the transaction holding its events has
 * committed. Under load this turns many small transactions (one disk flush each) into few larger
 * ones; with a single request in flight it is one transaction, as before.
 * <p>
 * A caller hands over one request's events as a unit: they are committed in one transaction,
 * never split between two, however many there are (an Infobip request with 1,000 reports is one
 * transaction and one wait). Only when the database refuses one of them for that event's own sake
 * (a value it cannot hold, a row another session keeps locked) are the others committed one by
 * one, so that the rest of the request is not held back by it.
 */
public class GroupCommit extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final EventStore store;
    private final int writers;
    private final int maxBatch;
    private final Duration maxWait;
    private final int maxQueued;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** One permit per event in the queue: a unit takes as many as it has events (at most maxQueued). */
    private final Semaphore room;

    private final List<Thread> threads = new ArrayList<>();
    /** System.nanoTime() when each writer began its current transaction; 0 while it waits for events. */
    private final AtomicLongArray busySince;

    private volatile boolean accepting;
    private final AtomicLong lockedRows = new AtomicLong();
    private volatile long lastLockedRowNanos;
    private volatile Runnable lockListener = () -> {};

    /**
     * @param writers  transactions committing at the same time
     * @param maxBatch events per transaction at most; a unit with more is a transaction of its own
     * @param maxWait  how long a caller waits for its commit before it is answered 503
     * @param maxQueued events waiting for a transaction at most; beyond, 503 at once (a stalled
     *                  database sheds load instead of filling the heap). A unit with more events
     *                  than that is taken only while the queue is empty
     */
    public GroupCommit(EventStore store, int writers, int maxBatch, Duration maxWait, int maxQueued) {
        this.store = store;
        this.writers = writers;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.maxQueued = maxQueued;
        this.room = new Semaphore(maxQueued);
        this.busySince = new AtomicLongArray(writers);
    }

    /** One caller's events, committed in one transaction; {@code permits}: its share of the queue. */
    private record Pending(List<CanonicalEvent> events, int permits, CompletableFuture<List<StoreResult>> result) {}

    /** Blocks until the event is committed (or refused); never returns for an uncommitted event. */
    public StoreResult store(CanonicalEvent event) {
        return storeAll(List.of(event)).get(0);
    }

    /** Blocks until the events are committed, in one transaction, or refused: one result per event, in order. */
    public List<StoreResult> storeAll(List<CanonicalEvent> events) {
        try {
            return submitAll(events).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new StoreUnavailableException("Could not store event: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while storing", e);
        }
    }

    /** {@link #submitAll} of one event. */
    public CompletableFuture<StoreResult> submit(CanonicalEvent event) {
        return submitAll(List.of(event)).thenApply(results -> results.get(0));
    }

    /**
     * Queues the events, as one unit, for the next transaction without blocking: the future
     * completes on a writer thread once the transaction holding them has committed, with one
     * result per event in their order; or with a {@link StoreUnavailableException} when they were
     * not committed within the commit timeout (or the database failed), or the failure of the one
     * event the database refused (see the class comment).
     */
    public CompletableFuture<List<StoreResult>> submitAll(List<CanonicalEvent> events) {
        if (!accepting) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("the service is shutting down", null));
        }
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        Pending pending =
                new Pending(List.copyOf(events), Math.min(events.size(), maxQueued), new CompletableFuture<>());
        if (!room.tryAcquire(pending.permits())) {
            return CompletableFuture.failedFuture(
                    new StoreUnavailableException(maxQueued + " events are already waiting for the database", null));
        }
        queue.add(pending);
        // not written when the time is up: it leaves the queue (an answered request holds no memory);
        // already being written: it may still commit, and the provider's retry is then answered "duplicate"
        return pending.result()
                .orTimeout(maxWait.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> {
                    if (failure instanceof TimeoutException) {
                        if (queue.remove(pending)) {
                            room.release(pending.permits());
                        }
                        return CompletableFuture.failedFuture(
                                new StoreUnavailableException("the database did not commit in time", failure));
                    }
                    return CompletableFuture.failedFuture(failure);
                });
    }

    @Override
    protected void doStart() {
        accepting = true;
        for (int i = 0; i < writers; i++) {
            int writer = i;
            Thread thread = new Thread(() -> write(writer), "dlr-hub-store-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Stops taking events, commits the ones already queued, then lets the writers end. */
    @Override
    protected void doStop() throws InterruptedException {
        accepting = false;
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        threads.clear();
    }

    /**
     * How long the slowest writer has been in its current transaction (zero when all are idle):
     * longer than the commit timeout means webhooks are being answered 503 while it waits.
     */
    public Duration longestTransaction() {
        long now = System.nanoTime();
        long longest = 0;
        for (int i = 0; i < busySince.length(); i++) {
            long since = busySince.get(i);
            if (since != 0) {
                longest = Math.max(longest, now - since);
            }
        }
        return Duration.ofNanos(longest);
    }

    public Duration commitTimeout() {
        return maxWait;
    }

    /** Writers that ended while the service still takes webhooks: nothing can restart them. */
    public long deadWriters() {
        return accepting ? threads.stream().filter(t -> !t.isAlive()).count() : 0;
    }

    private void write(int writer) {
        List<Pending> batch = new ArrayList<>();
        // taken from the queue but left for the next transaction: it would have made this one too big
        Pending next = null;
        while (true) {
            Pending first = next;
            next = null;
            if (first == null) {
                try {
                    first = taken(queue.poll(200, TimeUnit.MILLISECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (first == null) {
                if (!accepting) {
                    return;
                }
                continue;
            }
            batch.add(first);
            // units are never split: others join while the transaction has room for all of their events
            int events = first.events().size();
            while (events < maxBatch && (next = taken(queue.poll())) != null) {
                if (events + next.events().size() > maxBatch) {
                    break;
                }
                batch.add(next);
                events += next.events().size();
                next = null;
            }
            busySince.set(writer, System.nanoTime());
            try {
                commit(batch);
            } catch (Throwable unexpected) {
                // whatever went wrong, this writer must live on (it is the only way into the database),
                // and every caller of the batch gets an answer
                LOG.error("Storing a batch of {} events failed unexpectedly", events, unexpected);
                StoreUnavailableException failure =
                        new StoreUnavailableException("storing failed unexpectedly", unexpected);
                batch.forEach(pending -> pending.result().completeExceptionally(failure));
            } finally {
                busySince.set(writer, 0);
            }
            batch.clear();
        }
    }

    /** A unit that left the queue gives its room back. */
    private Pending taken(Pending pending) {
        if (pending != null) {
            room.release(pending.permits());
        }
        return pending;
    }

    private void refuse(Pending pending, RuntimeException failure) {
        if (failure instanceof EventLockedException) {
            lockedRows.incrementAndGet();
            lastLockedRowNanos = System.nanoTime();
            lockListener.run();
        }
        pending.result().completeExceptionally(failure);
    }

    /**
     * Webhooks refused because another database session held a row they needed, since start, and
     * how long ago the last was (null: never). Not a reason to take the instance out of service:
     * only those webhooks wait; readiness names it so that someone looks for the lock.
     */
    public long lockedRows() {
        return lockedRows.get();
    }

    public Duration sinceLastLockedRow() {
        long last = lastLockedRowNanos;
        return last == 0 ? null : Duration.ofNanos(System.nanoTime() - last);
    }

    /** Called on every webhook refused for a locked row (a metric counter). */
    public void onLockedRow(Runnable listener) {
        this.lockListener = listener;
    }

    private void commit(List<Pending> waiting) {
        // callers that gave up (timeout) are not written: their provider retries anyway
        List<Pending> batch = waiting.stream().filter(p -> !p.result().isDone()).toList();
        if (batch.isEmpty()) {
            return;
        }
        List<CanonicalEvent> events =
                batch.stream().flatMap(p -> p.events().stream()).toList();
        try {
            List<StoreResult> results = store.storeAll(events);
            int from = 0;
            for (Pending pending : batch) {
                int to = from + pending.events().size();
                pending.result().complete(List.copyOf(results.subList(from, to)));
                from = to;
            }
        } catch (RuntimeException batchFailed) {
            if (events.size() == 1 || isDatabaseAway(batchFailed)) {
                // the database is away: every event of the batch gets the same answer now, not one by one
                batch.forEach(pending -> refuse(pending, batchFailed));
                return;
            }
            LOG.debug(
                    "A transaction of {} events ({} requests) failed, storing them apart: {}",
                    events.size(),
                    batch.size(),
                    batchFailed.getMessage());
            if (batch.size() > 1) {
                // one bad or locked event must not fail the other requests: each in a transaction of its own
                batch.forEach(pending -> commit(List.of(pending)));
            } else {
                // nor the other events of its own request
                storeOneByOne(batch.get(0));
            }
        }
    }

    /**
     * The events of a request the database refused as a whole, each in a transaction of its own.
     * The request is answered for the events that failed: a locked row (503: the provider retries)
     * outweighs a value the database cannot hold (400); among those of one kind, the last one.
     */
    private void storeOneByOne(Pending pending) {
        List<StoreResult> results = new ArrayList<>();
        RuntimeException refusal = null;
        for (CanonicalEvent event : pending.events()) {
            try {
                results.add(store.store(event));
            } catch (RuntimeException failed) {
                if (isDatabaseAway(failed)) {
                    refuse(pending, failed);
                    return;
                }
                if (refusal == null
                        || !(failed instanceof InvalidEventException)
                        || refusal instanceof InvalidEventException) {
                    refusal = failed;
                }
            }
        }
        if (refusal != null) {
            refuse(pending, refusal);
        } else {
            pending.result().complete(results);
        }
    }

    /** Not one event's fault: the database cannot be reached or failed, and will fail the others alike. */
    private static boolean isDatabaseAway(RuntimeException failure) {
        return failure instanceof StoreUnavailableException && !(failure instanceof EventLockedException);
    }
}
