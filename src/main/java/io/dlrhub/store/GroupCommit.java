package io.dlrhub.store;

import io.dlrhub.event.CanonicalEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: webhooks that arrive while a transaction is being committed are stored together
 * in the next one, and each caller is answered only when the transaction holding its event has
 * committed. Under load this turns many small transactions (one disk flush each) into few larger
 * ones; with a single request in flight it is one transaction, as before.
 */
public class GroupCommit extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    private final EventStore store;
    private final int writers;
    private final int maxBatch;
    private final Duration maxWait;
    private final int maxQueued;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> threads = new ArrayList<>();
    /** System.nanoTime() when each writer began its current transaction; 0 while it waits for events. */
    private final AtomicLongArray busySince;

    private volatile boolean accepting;
    private final AtomicLong lockedRows = new AtomicLong();
    private volatile long lastLockedRowNanos;
    private volatile Runnable lockListener = () -> {};

    /**
     * @param writers  transactions committing at the same time
     * @param maxBatch events per transaction at most
     * @param maxWait  how long a caller waits for its commit before it is answered 503
     * @param maxQueued events waiting for a transaction at most; beyond, 503 at once (a stalled
     *                  database sheds load instead of filling the heap)
     */
    public GroupCommit(EventStore store, int writers, int maxBatch, Duration maxWait, int maxQueued) {
        this.store = store;
        this.writers = writers;
        this.maxBatch = maxBatch;
        this.maxWait = maxWait;
        this.maxQueued = maxQueued;
        this.queue = new LinkedBlockingQueue<>(maxQueued);
        this.busySince = new AtomicLongArray(writers);
    }

    private record Pending(CanonicalEvent event, CompletableFuture<StoreResult> result) {}

    /** Blocks until the event is committed (or refused); never returns for an uncommitted event. */
    public StoreResult store(CanonicalEvent event) {
        try {
            return submit(event).get();
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

    /**
     * Queues the event for the next transaction without blocking: the future completes on a writer
     * thread once the transaction holding the event has committed, or with a
     * {@link StoreUnavailableException} when it did not commit within the commit timeout.
     */
    public CompletableFuture<StoreResult> submit(CanonicalEvent event) {
        if (!accepting) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("the service is shutting down", null));
        }
        CompletableFuture<StoreResult> result = new CompletableFuture<>();
        Pending pending = new Pending(event, result);
        if (!queue.offer(pending)) {
            return CompletableFuture.failedFuture(
                    new StoreUnavailableException(maxQueued + " events are already waiting for the database", null));
        }
        // not written when the time is up: it leaves the queue (an answered request holds no memory);
        // already being written: it may still commit, and the provider's retry is then answered "duplicate"
        return result.orTimeout(maxWait.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(failure -> {
            if (failure instanceof TimeoutException) {
                queue.remove(pending);
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
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (true) {
            Pending first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (first == null) {
                if (!accepting) {
                    return;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            busySince.set(writer, System.nanoTime());
            try {
                commit(batch);
            } catch (Throwable unexpected) {
                // whatever went wrong, this writer must live on (it is the only way into the database),
                // and every caller of the batch gets an answer
                LOG.error("Storing a batch of {} events failed unexpectedly", batch.size(), unexpected);
                StoreUnavailableException failure =
                        new StoreUnavailableException("storing failed unexpectedly", unexpected);
                batch.forEach(pending -> pending.result().completeExceptionally(failure));
            } finally {
                busySince.set(writer, 0);
            }
            batch.clear();
        }
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
        try {
            List<StoreResult> results =
                    store.storeAll(batch.stream().map(Pending::event).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (RuntimeException batchFailed) {
            boolean databaseAway =
                    batchFailed instanceof StoreUnavailableException && !(batchFailed instanceof EventLockedException);
            if (batch.size() == 1 || databaseAway) {
                // the database is away: every event of the batch gets the same answer now, not one by one
                batch.forEach(pending -> refuse(pending, batchFailed));
                return;
            }
            // one bad or locked event must not fail the others: store them one by one
            LOG.debug("Batch of {} events failed, storing them one by one: {}", batch.size(), batchFailed.getMessage());
            for (Pending pending : batch) {
                try {
                    pending.result().complete(store.store(pending.event()));
                } catch (RuntimeException failed) {
                    refuse(pending, failed);
                }
            }
        }
    }
}
