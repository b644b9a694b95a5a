package io.dlrhub.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink's receiver over real HTTP (the JDK's server on loopback): answers every POST as
 * {@link Answer} says and counts the calls per Idempotency-Key.
 */
public final class Receiver implements AutoCloseable {

    /** How to answer one call; may block (each call has its own thread). */
    @FunctionalInterface
    public interface Answer {
        Reply answer(String idempotencyKey, String body) throws Exception;
    }

    /** {@code body}: the answer's text (UTF-8), null for none. */
    public record Reply(int status, Map<String, String> headers, String body) {

        public Reply(int status, Map<String, String> headers) {
            this(status, headers, null);
        }

        public static Reply ok() {
            return new Reply(200, Map.of());
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    private Receiver(Answer answer) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                String key = String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                Reply reply;
                try {
                    reply = answer.answer(key, body);
                } catch (Exception e) {
                    reply = new Reply(500, Map.of());
                }
                reply.headers()
                        .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                if (reply.body() == null) {
                    exchange.sendResponseHeaders(reply.status(), -1);
                } else {
                    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(reply.status(), bytes.length);
                    exchange.getResponseBody().write(bytes);
                }
            }
        });
        server.start();
    }

    public static Receiver start(Answer answer) {
        return new Receiver(answer);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/crm";
    }

    /** Calls received so far, per Idempotency-Key. */
    public Map<String, Integer> callsPerKey() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        calls.forEach((key, count) -> copy.put(key, count.get()));
        return copy;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
