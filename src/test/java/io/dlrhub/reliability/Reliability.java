package io.dlrhub.reliability;

import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** What every reliability scenario shares: the dlr-hub settings, database read-outs and the summary line. */
final class Reliability {

    static final String TOKEN = "reliability-token-" + UUID.randomUUID();
    static final String ALERT_TO = "ops@example.org";

    private Reliability() {}

    /**
     * The environment of one dlr-hub: the brief's settings plus two that fit the compressed time of
     * a test run (each is a documented setting; production keeps its defaults):
     * OUTBOX_LEASE_MS=15000, so the deliveries a killed instance had claimed are taken over in
     * 15 s instead of 2 minutes; CRM_MAX_ATTEMPTS=0 (retried for ever), because with retries at most
     * CRM_RETRY_MAX_MS=1000 apart the default 15 attempts would be spent in about 12 s, where in
     * production (600 s apart) they last hours.
     */
    static Map<String, String> environment(TestDatabase database, int crmPort, int smtpPort) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DB_URL", database.url());
        env.put("DB_USER", database.user());
        if (!database.password().isEmpty()) {
            env.put("DB_PASSWORD", database.password());
        }
        env.put("SMSBY_TOKENS", TOKEN);
        env.put("CRM_URL", "http://127.0.0.1:" + crmPort + "/crm");
        env.put("CRM_RETRY_INITIAL_MS", "100");
        env.put("CRM_RETRY_MAX_MS", "1000");
        env.put("CRM_MAX_ATTEMPTS", "0");
        env.put("SMTP_HOST", "127.0.0.1");
        env.put("SMTP_PORT", String.valueOf(smtpPort));
        env.put("ALERT_EMAIL_FROM", "dlr-hub@example.org");
        env.put("ALERT_EMAIL_TO", ALERT_TO);
        env.put("ALERT_DIGEST_SECONDS", "2");
        env.put("OUTBOX_LEASE_MS", "15000");
        env.put("LOG_LEVEL", "WARN");
        return env;
    }

    /** The status word sms.by sends for a message id: about one in five is a failure (for the alert sink). */
    static String statusOf(String messageId) {
        int bucket = Math.floorMod(messageId.hashCode(), 10);
        return switch (bucket) {
            case 0 -> "NOT_DELIVERED";
            case 1 -> "EXPIRED";
            case 2 -> "SENT";
            default -> "DELIVERED";
        };
    }

    static boolean isFailure(String statusWord) {
        return List.of("NOT_DELIVERED", "EXPIRED", "UNDELIVERED", "REJECTED", "ERROR", "FAILED")
                .contains(statusWord);
    }

    // ---- what the database holds, read the way an operator would (plain SQL, never through dlr-hub) ----

    /** delivery_event rows per message_id. */
    static Map<String, Long> storedPerMessage(TestDatabase database) {
        Map<String, Long> counts = new HashMap<>();
        for (Map<String, Object> row :
                Sql.rows(database, "SELECT message_id, COUNT(*) AS n FROM delivery_event GROUP BY message_id")) {
            counts.put((String) row.get("message_id"), ((Number) row.get("n")).longValue());
        }
        return counts;
    }

    /** event_id → message_id of every stored event. */
    static Map<String, String> storedEvents(TestDatabase database) {
        return Sql.rows(database, "SELECT event_id, message_id FROM delivery_event").stream()
                .collect(Collectors.toMap(r -> r.get("event_id").toString(), r -> (String) r.get("message_id")));
    }

    static long outbox(TestDatabase database, String sink, String state) {
        return Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = ? AND state = ?", sink, state);
    }

    static long outboxState(TestDatabase database, String state) {
        return Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE state = ?", state);
    }

    /** Polls until the condition holds; false when the time is up. */
    static boolean waitUntil(Duration atMost, Duration every, BooleanSupplier condition) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (RuntimeException notYet) {
                // e.g. the database is not reachable yet; try again
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            HubProcess.sleep(every.toMillis());
        }
    }

    // ---- files and the summary line ----

    static Path baseDirectory() {
        String basedir = System.getProperty("basedir");
        return Path.of(basedir != null && !basedir.isBlank() ? basedir : System.getProperty("user.dir"))
                .toAbsolutePath();
    }

    static Path jar() {
        String configured = System.getProperty("dlrhub.jar");
        Path jar = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : baseDirectory().resolve("target").resolve("dlr-hub.jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("lib"))) {
            throw new IllegalStateException(jar + " (and lib/ beside it) is missing: the reliability tests run the"
                    + " packaged service; use `mvn verify -P reliability`");
        }
        return jar;
    }

    /**
     * How the child JVM runs dlr-hub: the packaged jar where the build made one for this run
     * ({@code -P reliability} sets dlrhub.jar), else the compiled classes of this build with their
     * dependencies, so the default suite can run the real process before {@code package}.
     */
    static List<String> launchArguments() {
        String configured = System.getProperty("dlrhub.jar");
        if (configured != null && !configured.isBlank()) {
            return List.of("-jar", jar().toString());
        }
        return List.of("-cp", serviceClassPath(), "io.dlrhub.Application");
    }

    /** The test class path without the test classes (their log4j2-test.properties is not the service's). */
    private static String serviceClassPath() {
        String testClassPath = System.getProperty("surefire.test.class.path");
        String all = testClassPath != null && !testClassPath.isBlank()
                ? testClassPath
                : System.getProperty("java.class.path");
        return java.util.Arrays.stream(all.split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isBlank() && !Path.of(entry).endsWith(Path.of("target", "test-classes")))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    static Path outputDirectory() {
        Path directory = baseDirectory().resolve("target").resolve("reliability");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return directory;
    }

    /**
     * Prints one line that can be quoted: {@code RELIABILITY <scenario>: key=value ...}, and appends it to
     * target/reliability/summary.txt.
     */
    static void summary(String scenario, Map<String, ?> counts) {
        String line = "RELIABILITY " + scenario + ": "
                + counts.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .collect(Collectors.joining(" "));
        System.out.println(line);
        try {
            Files.writeString(
                    outputDirectory().resolve("summary.txt"),
                    Instant.now() + " " + line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("(could not write summary.txt: " + e.getMessage() + ")");
        }
    }

    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1fs", nanos / 1e9);
    }
}
