package io.dlrhub.reliability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A provider sending sms.by webhooks: N client threads (java.net.http, HTTP/1.1) post unique message
 * ids for a while; every attempt is recorded per id (answered 200, another status, or no answer at
 * all), and the ids that were not acknowledged can be sent again later, as a provider retries.
 */
final class LoadDriver {

    /** One POST of one id: status -1 means no answer (connection refused or reset, timeout). */
    record Attempt(
            String id, URI target, int status, String body, String error, long sentAt, long answeredAt, boolean retry) {

        boolean ok() {
            return status == 200;
        }

        boolean noAnswer() {
            return status < 0;
        }

        boolean duplicate() {
            return ok() && body != null && body.contains("\"duplicate\"");
        }

        long millis() {
            return (answeredAt - sentAt) / 1_000_000;
        }
    }

    /** Where one message id goes: one or several instances, one after the other or at the same time. */
    record Route(List<Supplier<URI>> targets, boolean together) {

        static Route to(Supplier<URI> target) {
            return new Route(List.of(target), false);
        }
    }

    /** Upper bound of requests per thread and run, whatever the duration: loops stay bounded in count. */
    private static final int MAX_PER_THREAD = 50_000;

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final long NO_ANSWER_PAUSE_MS = 100;

    private final Function<String, String> statusOf;
    private final HttpClient http;
    private final ExecutorService async = Executors.newCachedThreadPool(daemon("load-async"));
    private final Map<String, List<Attempt>> attempts = new ConcurrentHashMap<>();
    private final Set<String> order = Collections.synchronizedSet(new java.util.LinkedHashSet<>());

    LoadDriver(Function<String, String> statusOf) {
        this.statusOf = statusOf;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(async)
                .build();
    }

    /** Posts one webhook for the id to the target (its full sms.by URL) and records the outcome. */
    Attempt post(URI target, String id, boolean retry) {
        String body = "channel=SMS&message_id=" + id + "&status=" + statusOf.apply(id);
        HttpRequest request = HttpRequest.newBuilder(target)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        order.add(id);
        long sent = System.nanoTime();
        Attempt attempt;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            attempt = new Attempt(
                    id, target, response.statusCode(), response.body(), null, sent, System.nanoTime(), retry);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            attempt = new Attempt(id, target, -1, null, "interrupted", sent, System.nanoTime(), retry);
        } catch (Exception e) {
            attempt = new Attempt(
                    id,
                    target,
                    -1,
                    null,
                    e.getClass().getSimpleName() + ": " + e.getMessage(),
                    sent,
                    System.nanoTime(),
                    retry);
        }
        attempts.computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(attempt);
        return attempt;
    }

    /** A running load; {@link #stop()} ends it (it also ends by itself after its duration). */
    final class Load {
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<Future<?>> threads = new ArrayList<>();
        private final ExecutorService pool;
        private final long deadline;

        private Load(int threadCount, Duration duration, Duration pause, String prefix, LongFunction<Route> router) {
            pool = Executors.newFixedThreadPool(threadCount, daemon("load-" + prefix));
            deadline = System.nanoTime() + duration.toNanos();
            for (int t = 0; t < threadCount; t++) {
                int thread = t;
                threads.add(pool.submit(() -> {
                    for (long seq = 0; seq < MAX_PER_THREAD && !stopped.get() && System.nanoTime() < deadline; seq++) {
                        String id = prefix + "-" + thread + "-" + seq;
                        boolean answered = send(id, router.apply(seq * threadCount + thread));
                        // like a provider, back off a little when nobody answers (connection refused)
                        long wait = answered ? pause.toMillis() : Math.max(pause.toMillis(), NO_ANSWER_PAUSE_MS);
                        if (wait > 0) {
                            HubProcess.sleep(wait);
                        }
                    }
                }));
            }
            pool.shutdown();
        }

        /** Stops sending and waits for the requests in flight to be answered (or to fail). */
        void stop() {
            stopped.set(true);
            await();
        }

        void await() {
            try {
                long untilDeadline = Math.max(0, deadline - System.nanoTime());
                long bound = untilDeadline + TimeUnit.SECONDS.toNanos(REQUEST_TIMEOUT.toSeconds() * 2 + 30);
                if (!pool.awaitTermination(bound, TimeUnit.NANOSECONDS)) {
                    pool.shutdownNow();
                    throw new IllegalStateException("load threads did not end");
                }
                for (Future<?> thread : threads) {
                    thread.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a load thread failed", e.getCause());
            }
        }
    }

    /** Sends one id along its route; false when some attempt got no answer at all. */
    private boolean send(String id, Route route) {
        boolean answered = true;
        if (!route.together()) {
            for (Supplier<URI> target : route.targets()) {
                answered &= !post(target.get(), id, false).noAnswer();
            }
            return answered;
        }
        List<CompletableFuture<Attempt>> all = route.targets().stream()
                .map(target -> CompletableFuture.supplyAsync(() -> post(target.get(), id, false), async))
                .toList();
        for (CompletableFuture<Attempt> attempt : all) {
            answered &= !attempt.join().noAnswer();
        }
        return answered;
    }

    /** Starts {@code threads} senders that post new ids ({@code prefix-thread-seq}) until stopped or for {@code duration}. */
    Load start(int threads, Duration duration, Duration pause, String prefix, LongFunction<Route> router) {
        return new Load(threads, duration, pause, prefix, router);
    }

    /**
     * Sends the ids again, as a provider does with what it got no 200 for, until each is answered 200:
     * at most {@code rounds} rounds, a second apart (dlr-hub's 503 says Retry-After), within {@code atMost}.
     * Returns the number of retries sent.
     */
    int retry(Collection<String> ids, Supplier<URI> target, int threads, int rounds, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        List<String> todo = new ArrayList<>(new TreeSet<>(ids));
        int sent = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemon("load-retry"));
        try {
            for (int round = 0; round < rounds && !todo.isEmpty() && System.nanoTime() < deadline; round++) {
                if (round > 0) {
                    HubProcess.sleep(1000);
                }
                List<Future<Attempt>> results = new ArrayList<>();
                for (String id : todo) {
                    results.add(pool.submit(() -> post(target.get(), id, true)));
                }
                List<String> again = new ArrayList<>();
                for (Future<Attempt> result : results) {
                    Attempt attempt = result.get();
                    sent++;
                    if (!attempt.ok()) {
                        again.add(attempt.id());
                    }
                }
                todo = again;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return sent;
    }

    // ---- what happened ----

    /** Every id sent, in the order first sent. */
    List<String> ids() {
        synchronized (order) {
            return List.copyOf(order);
        }
    }

    List<Attempt> attempts(String id) {
        List<Attempt> list = attempts.getOrDefault(id, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    List<Attempt> allAttempts() {
        List<Attempt> all = new ArrayList<>();
        for (String id : ids()) {
            all.addAll(attempts(id));
        }
        return all;
    }

    /** Ids with at least one attempt matching. */
    Set<String> idsWhere(Predicate<Attempt> condition) {
        return allAttempts().stream().filter(condition).map(Attempt::id).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Ids that were never answered 200. */
    Set<String> notAcknowledged() {
        Set<String> ok = idsWhere(Attempt::ok);
        return ids().stream().filter(id -> !ok.contains(id)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Counts of first-run (not retry) outcomes: "200", "503", "no answer", ... */
    Map<String, Long> outcomes(Predicate<Attempt> which) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Attempt attempt : allAttempts()) {
            if (which.test(attempt)) {
                counts.merge(attempt.noAnswer() ? "none" : String.valueOf(attempt.status()), 1L, Long::sum);
            }
        }
        return counts;
    }

    void close() {
        async.shutdownNow();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
