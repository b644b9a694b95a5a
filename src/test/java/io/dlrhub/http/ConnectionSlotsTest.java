package io.dlrhub.http;

import static io.dlrhub.support.RunningHub.FORM;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, cases 2 and 3: one address cannot take the service from the others. Real sockets on
 * loopback; the attacker is 127.0.0.1 and the genuine provider 127.0.0.2 (Linux routes all of
 * 127.0.0.0/8 to lo), or, behind a trusted proxy, two forwarded clients of 127.0.0.1.
 */
class ConnectionSlotsTest {

    private static final String ATTACKER = "127.0.0.1";
    private static final String PROVIDER = "127.0.0.2";
    private static final String TOKEN = "tok";
    /** headers promising a body that never comes, and no token: stalls before authentication */
    private static final String STALLED = "POST /webhooks/smsby HTTP/1.1\r\nHost: dlr-hub\r\nContent-Type: " + FORM
            + "\r\nContent-Length: 100\r\n\r\n";

    @Test
    void stalledRequestsAndIdleConnectionsFromOneAddressLeaveWebhooksFromAnotherAnsweredAndReadinessReachable()
            throws Exception {
        // 100 slots keep the number of sockets bounded; the attack takes more than all of them
        try (RunningHub hub = RunningHub.start(
                        TestDatabase.h2InMemory(), Map.of("smsby.tokens", TOKEN, "max-concurrent-requests", "100"));
                Sockets attacker = new Sockets();
                CapturedLog log = CapturedLog.attach()) {
            for (int i = 0; i < 150; i++) {
                attacker.send(ATTACKER, hub.port(), STALLED);
            }
            for (int i = 0; i < 100; i++) {
                attacker.send(ATTACKER, hub.port(), "");
                attacker.send(ATTACKER, hub.managementPort(), "");
            }
            // the flood is in place once the attacker's own next webhook is not served
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !answer(ATTACKER, hub.port(), webhook("probe")).startsWith("HTTP/1.1 200"));

            String genuine = answer(PROVIDER, hub.port(), webhook("genuine-1"));
            assertThat(genuine)
                    .as("a webhook from another address")
                    .startsWith("HTTP/1.1 200")
                    .contains("accepted");
            String ready = answer(
                    PROVIDER, hub.managementPort(), "GET /observe/health/ready HTTP/1.1\r\nHost: dlr-hub\r\n\r\n");
            assertThat(ready).as("readiness from another address").startsWith("HTTP/1.1 200");

            // the attacker hangs up: its slots come back, and its hang-ups do not reach the ERROR log
            // (Vert.x-web logged "Unhandled exception in router" for every stalled request cut off)
            attacker.close();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> answer(ATTACKER, hub.port(), webhook("after-" + System.nanoTime()))
                            .startsWith("HTTP/1.1 200"));
            assertThat(log.linesContaining("Unhandled exception")).isEmpty();
        }
    }

    @Test
    void behindATrustedProxyOneForwardedClientCannotTakeTheSlotsOfTheOthers() throws Exception {
        try (RunningHub hub = RunningHub.start(
                        TestDatabase.h2InMemory(),
                        Map.of(
                                "smsby.tokens",
                                TOKEN,
                                "trusted-proxies",
                                ATTACKER,
                                "max-concurrent-requests",
                                "40",
                                "max-concurrent-requests-per-address",
                                "10"));
                Sockets proxy = new Sockets()) {
            List<Socket> stalled = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                Socket socket = proxy.open(ATTACKER, hub.port());
                socket.getOutputStream()
                        .write(STALLED.replace(
                                        "Host: dlr-hub\r\n", "Host: dlr-hub\r\nX-Forwarded-For: 198.51.100.7\r\n")
                                .getBytes(US_ASCII));
                stalled.add(socket);
            }
            // 10 are held; the other 70 are refused at once, on open connections: a proxy's connections are not capped
            List<Socket> held = new ArrayList<>(stalled);
            List<String> refused = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (refused.size() < 70 && System.nanoTime() < deadline) {
                for (Socket socket : List.copyOf(held)) {
                    String answer = read(socket, Duration.ofMillis(200));
                    if (!answer.equals("<no answer>")) {
                        refused.add(answer);
                        held.remove(socket);
                    }
                }
            }
            assertThat(refused)
                    .hasSize(70)
                    .allSatisfy(answer -> assertThat(answer)
                            .startsWith("HTTP/1.1 429")
                            .contains("too_many_in_progress")
                            .contains("Retry-After: 1"));
            assertThat(held).hasSize(10);

            String other = answer(
                    ATTACKER,
                    hub.port(),
                    webhook("forwarded-1")
                            .replace("Host: dlr-hub\r\n", "Host: dlr-hub\r\nX-Forwarded-For: 203.0.113.5\r\n"));
            assertThat(other)
                    .as("another client of the same proxy")
                    .startsWith("HTTP/1.1 200")
                    .contains("accepted");
        }
    }

    @Test
    void trickledHeadersLateBodiesAndIdleConnectionsAreClosedOnBothListeners() throws Exception {
        try (RunningHub hub = RunningHub.start(
                        TestDatabase.h2InMemory(),
                        Map.of("smsby.tokens", TOKEN, "http.read-timeout-ms", "1000", "http.idle-timeout-ms", "1500"));
                Sockets client = new Sockets()) {
            for (int port : new int[] {hub.port(), hub.managementPort()}) {
                // one header line every 250 ms: never idle, yet the headers are not complete within the read timeout
                Socket trickle = client.open(ATTACKER, port);
                trickle.getOutputStream().write("GET /observe/health/live HTTP/1.1\r\n".getBytes(US_ASCII));
                assertThat(closedWhileTrickling(trickle))
                        .as("trickled headers on port " + port)
                        .isTrue();

                Socket silent = client.open(ATTACKER, port);
                assertThat(read(silent, Duration.ofSeconds(10)))
                        .as("a connection that sends nothing")
                        .isEqualTo("<closed>");
            }

            // a body that does not come: 408 well before REQUEST_TIMEOUT_MS (30 s), then the connection is closed
            Socket late = client.open(ATTACKER, hub.port());
            late.getOutputStream()
                    .write(STALLED.replace("/webhooks/smsby", "/webhooks/smsby?token=" + TOKEN)
                            .getBytes(US_ASCII));
            String timedOut = read(late, Duration.ofSeconds(10));
            assertThat(timedOut)
                    .startsWith("HTTP/1.1 408")
                    .contains("request_timeout")
                    .contains("HTTP_READ_TIMEOUT_MS");
            assertThat(read(late, Duration.ofSeconds(10))).isEqualTo("<closed>");

            // kept alive after an answer, then idle: closed after the idle timeout
            Socket webhook = client.open(ATTACKER, hub.port());
            webhook.getOutputStream().write(webhook("idle-1").getBytes(UTF_8));
            assertThat(read(webhook, Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
            Socket health = client.open(ATTACKER, hub.managementPort());
            health.getOutputStream()
                    .write("GET /observe/health/live HTTP/1.1\r\nHost: dlr-hub\r\n\r\n".getBytes(US_ASCII));
            assertThat(read(health, Duration.ofSeconds(10))).startsWith("HTTP/1.1 200");
            assertThat(read(webhook, Duration.ofSeconds(10)))
                    .as("idle webhook connection")
                    .isEqualTo("<closed>");
            assertThat(read(health, Duration.ofSeconds(10)))
                    .as("idle management connection")
                    .isEqualTo("<closed>");
        }
    }

    private static String webhook(String messageId) {
        String body = "channel=SMS&message_id=" + messageId + "&status=SENT";
        return "POST /webhooks/smsby?token=" + TOKEN + " HTTP/1.1\r\nHost: dlr-hub\r\nContent-Type: " + FORM
                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** One request on a new connection from {@code local}; its answer, or {@code <closed>}. */
    private static String answer(String local, int port, String request) throws IOException {
        try (Sockets one = new Sockets()) {
            Socket socket = one.open(local, port);
            socket.getOutputStream().write(request.getBytes(UTF_8));
            return read(socket, Duration.ofSeconds(5));
        } catch (IOException refused) {
            return "<closed>";
        }
    }

    /** Writes a header line every 250 ms for at most 10 s; true when the server closed the connection. */
    private static boolean closedWhileTrickling(Socket socket) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        socket.setSoTimeout(250);
        InputStream in = socket.getInputStream();
        for (int line = 0; System.nanoTime() < deadline; line++) {
            try {
                socket.getOutputStream().write(("X-Trickle-" + line + ": x\r\n").getBytes(US_ASCII));
                if (in.read() < 0) {
                    return true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // nothing came back: the server is still waiting for the rest of the headers
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    /**
     * One answer (status line, headers, body by Content-Length), {@code <closed>} when the server
     * closed the connection first, or {@code <no answer>} when nothing came within {@code wait}.
     */
    private static String read(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try {
            int expected = -1;
            int b;
            while ((b = in.read()) >= 0) {
                answer.write(b);
                String text = answer.toString(UTF_8);
                int headersEnd = text.indexOf("\r\n\r\n");
                if (headersEnd >= 0 && expected < 0) {
                    expected = headersEnd + 4 + contentLength(text.substring(0, headersEnd));
                }
                boolean chunked = headersEnd >= 0
                        && text.substring(0, headersEnd)
                                .toLowerCase(Locale.ROOT)
                                .contains("transfer-encoding: chunked");
                if (chunked ? text.endsWith("\r\n0\r\n\r\n") : expected >= 0 && answer.size() >= expected) {
                    return text;
                }
            }
        } catch (SocketTimeoutException nothing) {
            return answer.size() == 0 ? "<no answer>" : answer.toString(UTF_8);
        } catch (IOException reset) {
            return answer.size() == 0 ? "<closed>" : answer.toString(UTF_8);
        }
        return answer.size() == 0 ? "<closed>" : answer.toString(UTF_8);
    }

    private static int contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return 0;
    }

    /** Client sockets bound to a chosen loopback address, all closed at the end. */
    private static final class Sockets implements AutoCloseable {

        private final List<Socket> open = new ArrayList<>();

        /** An attacker's connection and what it sends; a connection the server closed at once is fine. */
        void send(String local, int port, String request) {
            try {
                open(local, port).getOutputStream().write(request.getBytes(US_ASCII));
            } catch (IOException closedByTheServer) {
                // the attacker does not care
            }
        }

        Socket open(String local, int port) throws IOException {
            Socket socket = new Socket();
            open.add(socket);
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            return socket;
        }

        @Override
        public void close() {
            for (Socket socket : open) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing a client socket of the test
                }
            }
        }
    }
}
