package io.dlrhub.reliability;

import io.dlrhub.support.RunningHub;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real service: {@code java -jar target/dlr-hub.jar} as a child process, configured only by
 * environment variables (as in production), its output in a file under target/reliability/.
 * {@link #kill()} is {@code kill -9} (SIGKILL): no shutdown hook, no graceful stop.
 */
public final class HubProcess implements AutoCloseable {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final int START_TRIES = 3;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    static {
        // whatever happens to the test JVM, no dlr-hub outlives it
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "kill-dlr-hubs"));
    }

    private final String name;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    private volatile int httpPort;
    private volatile int managementPort;
    private volatile Process process;
    private volatile Path log;
    private int runs;

    private HubProcess(String name, Map<String, String> environment, Path workingDirectory) {
        this.name = name;
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
    }

    /** Starts dlr-hub in the project folder and returns once {@code GET /observe/health/ready} answers 200. */
    public static HubProcess start(String name, Map<String, String> environment) {
        return start(name, environment, Reliability.baseDirectory());
    }

    /** The same, started from another working directory (where its default ./data goes). */
    public static HubProcess start(String name, Map<String, String> environment, Path workingDirectory) {
        HubProcess hub = new HubProcess(name, environment, workingDirectory);
        hub.start();
        return hub;
    }

    /** Starts (again, after {@link #kill()} or {@link #stop()}) on the same ports if they are still free. */
    public synchronized HubProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= START_TRIES; attempt++) {
            if (httpPort == 0 || attempt > 1) {
                httpPort = RunningHub.freePort();
                managementPort = otherFreePort(httpPort);
            }
            try {
                launch();
                return this;
            } catch (PortTaken taken) {
                // another program took a port between our check and dlr-hub's bind: new ports
                last = taken;
                destroy(process, true);
            }
        }
        throw new IllegalStateException(name + " did not start in " + START_TRIES + " tries", last);
    }

    private void launch() {
        spawn();
        awaitStarted();
    }

    /** Starts the process and returns at once. */
    private void spawn() {
        runs++;
        Path directory = Reliability.outputDirectory();
        log = directory.resolve(name + "-run" + runs + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xmx512m", "-XX:+ExitOnOutOfMemoryError"));
        command.addAll(Reliability.launchArguments());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        // only what we set reaches dlr-hub: no stray DB_URL or *_TOKENS from the shell running the build
        Map<String, String> keep = new LinkedHashMap<>();
        for (String inherited : List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR")) {
            if (env.containsKey(inherited)) {
                keep.put(inherited, env.get(inherited));
            }
        }
        env.clear();
        env.putAll(keep);
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("MANAGEMENT_HOST", "127.0.0.1");
        env.put(
                "GENERATED_TOKENS_FILE",
                directory.resolve(name + "-generated-tokens.properties").toString());
        env.putAll(environment);
        env.put("HTTP_PORT", String.valueOf(httpPort));
        env.put("MANAGEMENT_PORT", String.valueOf(managementPort));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + java, e);
        }
        LIVE.add(process);
    }

    private void awaitStarted() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (logContains("Address already in use")) {
                throw new PortTaken(name + ": port " + httpPort + " or " + managementPort + " was taken");
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        name + " exited with " + process.exitValue() + " before it was ready:\n" + logTail(40));
            }
            if (ready() == 200) {
                // the webhook listener binds asynchronously: give a bind failure a moment to show
                sleep(300);
                if (logContains("Address already in use")) {
                    throw new PortTaken(name + ": port " + httpPort + " or " + managementPort + " was taken");
                }
                return;
            }
            sleep(200);
        }
        destroy(process, true);
        throw new IllegalStateException(
                name + " was not ready within " + READY_TIMEOUT.toSeconds() + " s:\n" + logTail(40));
    }

    /**
     * Starts dlr-hub with the webhook listener on the given port and returns at once, without
     * waiting for readiness or checking that the port was free (to see what a taken port does).
     */
    static HubProcess spawnOn(String name, Map<String, String> environment, int httpPort) {
        HubProcess hub = new HubProcess(name, environment, Reliability.baseDirectory());
        hub.httpPort = httpPort;
        hub.managementPort = otherFreePort(httpPort);
        hub.spawn();
        return hub;
    }

    /** GET /observe/health/ready: the status code, or -1 without an answer. */
    public int ready() {
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(managementUri("/observe/health/ready"))
                            .timeout(Duration.ofSeconds(15))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** kill -9: Process.destroyForcibly() is SIGKILL on Linux. */
    public void kill() {
        destroy(process, true);
    }

    /** SIGTERM and wait for the graceful stop (README: within the 30 s shutdown timeout). */
    public void stop() {
        destroy(process, false);
    }

    private static void destroy(Process process, boolean forcibly) {
        if (process == null) {
            return;
        }
        try {
            if (forcibly) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
            if (!process.waitFor(45, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            LIVE.remove(process);
        }
    }

    /** The exit code once the process ended, else null. */
    public Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public String name() {
        return name;
    }

    /** The webhook URL of sms.by, token included. */
    public URI smsbyUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/webhooks/smsby?token=" + Reliability.TOKEN);
    }

    public URI managementUri(String path) {
        return URI.create("http://127.0.0.1:" + managementPort + path);
    }

    public int httpPort() {
        return httpPort;
    }

    public Path log() {
        return log;
    }

    public boolean logContains(String text) {
        try {
            return log != null
                    && Files.exists(log)
                    && Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** Lines of the current run's output that contain the text. */
    public List<String> logLines(String text) {
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.contains(text)) {
                    lines.add(line);
                }
            }
            return lines;
        } catch (IOException e) {
            return List.of();
        }
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static int otherFreePort(int taken) {
        for (int i = 0; i < 10; i++) {
            int port = RunningHub.freePort();
            if (port != taken) {
                return port;
            }
        }
        throw new IllegalStateException("no second free port");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }
}
