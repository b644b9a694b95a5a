package io.dlrhub.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while whoever collects the output lags behind (a container's log driver under load): the
 * stop's last lines must still arrive. The JVM halts once its shutdown hooks have returned, and
 * Camel's returns as soon as the context is stopped, while the async appender may still hold the
 * lines that say so: the container test saw "shutdown in ..." missing. Here the reader stops reading
 * before the stop, so the pipe is full and the appender is blocked until it reads again.
 */
class StopLogTest {

    private static final long READER_PAUSE_MILLIS = 3_000;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void sigtermWritesTheLastLinesEvenWhenTheLogReaderLags(@TempDir Path workingDirectory) throws Exception {
        int httpPort = RunningHub.freePort();
        int managementPort = RunningHub.freePort();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        command.addAll(Reliability.launchArguments());
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
        builder.environment()
                .keySet()
                .removeIf(
                        name -> !List.of("PATH", "HOME", "JAVA_HOME", "TMPDIR").contains(name));
        builder.environment().put("HTTP_HOST", "127.0.0.1");
        builder.environment().put("MANAGEMENT_HOST", "127.0.0.1");
        builder.environment().put("HTTP_PORT", String.valueOf(httpPort));
        builder.environment().put("MANAGEMENT_PORT", String.valueOf(managementPort));
        builder.environment().put("SMSBY_TOKENS", Reliability.TOKEN);
        builder.environment()
                .put(
                        "GENERATED_TOKENS_FILE",
                        workingDirectory.resolve("tokens.properties").toString());
        // DEBUG: enough output to fill the pipe (64 KiB) while nobody reads it
        builder.environment().put("LOG_LEVEL", "DEBUG");
        Process process = builder.start();
        PausableReader output = new PausableReader(process);
        try {
            awaitReady(process, managementPort, output);
            output.stopReading();
            for (int i = 0; i < 5; i++) {
                webhook(httpPort, "stop-log-" + i);
            }
            // SIGTERM; Process.destroy() would also close our end of the pipe, ProcessHandle.destroy() does not
            process.toHandle().destroy();
            Thread.sleep(READER_PAUSE_MILLIS);
            output.readAgain();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("stopped").isTrue();
            output.join();

            assertThat(process.exitValue()).as("exit code after SIGTERM").isEqualTo(143);
            List<String> lines = output.lines();
            assertThat(lines.stream().anyMatch(line -> line.matches(".*Apache Camel \\S+ \\(dlr-hub\\) shutdown in .*"))
                            && lines.stream()
                                    .anyMatch(
                                            line -> line.contains("Apache Camel (Main)") && line.endsWith(" shutdown")))
                    .as(
                            "the stop's last lines (context and Main shut down), though the reader lagged %d ms;"
                                    + " the output ended with:%n%s",
                            READER_PAUSE_MILLIS, output.tail())
                    .isTrue();
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void awaitReady(Process process, int managementPort, PausableReader output) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            assertThat(process.isAlive())
                    .as("dlr-hub running; output:%n%s", output.tail())
                    .isTrue();
            try {
                HttpResponse<Void> ready = http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + managementPort + "/observe/health/ready"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready within 90 s; output:\n" + output.tail());
    }

    private void webhook(int httpPort, String messageId) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + httpPort + "/webhooks/smsby?token=" + Reliability.TOKEN))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .timeout(Duration.ofSeconds(20))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "channel=SMS&message_id=" + messageId + "&status=DELIVERED"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("answer: %s", answer.body()).isEqualTo(200);
    }

    /** Reads the process's output line by line on its own thread; while paused it reads nothing. */
    private static final class PausableReader extends Thread {
        private final Process process;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean paused;

        PausableReader(Process process) {
            super("dlr-hub-output");
            this.process = process;
            setDaemon(true);
            start();
        }

        @Override
        public void run() {
            try (BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 256)) {
                String line;
                while (true) {
                    while (paused) {
                        Thread.sleep(50);
                    }
                    if ((line = reader.readLine()) == null) {
                        return;
                    }
                    lines.add(line);
                }
            } catch (IOException | InterruptedException e) {
                lines.add("(output reader stopped: " + e + ")");
            }
        }

        void stopReading() {
            paused = true;
        }

        void readAgain() {
            paused = false;
        }

        List<String> lines() {
            synchronized (lines) {
                return List.copyOf(lines);
            }
        }

        String tail() {
            List<String> all = lines();
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        }
    }
}
