package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ROUTES_RELOAD: an engineer edits a provider adapter in routes/ and the running service picks
 * it up without a restart; the Java routes stay; a broken save never takes the webhooks down.
 * Each test runs on its own copy of routes/ in a temporary folder.
 */
class RouteReloadTest {

    static final String TOKEN = "reload-token";
    static final String ORIGINAL_FIELDS = "              messageId: message_id\n";
    static final String EDITED_FIELDS = "              messageId: msg\n";
    static final List<String> JAVA_ROUTES =
            List.of("webhook-ingress", "require-form", "persist-events", "outbox-dispatcher");
    static final List<String> FILE_ROUTES = List.of("provider-smsby", "sink-crm", "sink-alert");

    @TempDir
    Path directory;

    RunningHub hub;
    TestDatabase database;
    Path routes;
    final AtomicInteger sequence = new AtomicInteger();

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    @Test
    void anEditedAdapterTakesEffectWithoutARestartAndTheJavaRoutesStay() throws Exception {
        start(true);
        assertOldFieldsAccepted();

        editAdapter(ORIGINAL_FIELDS, EDITED_FIELDS);
        awaitEditedAdapter();

        assertRoutesStarted(JAVA_ROUTES);
        assertRoutesStarted(FILE_ROUTES);
        Reply still = webhook("msg");
        assertThat(still.status()).as(still.toString()).isEqualTo(200);
        assertThat(still.field("status")).isEqualTo("accepted");
    }

    @Test
    void aBrokenSaveKeepsTheLastGoodAdapterServing() throws Exception {
        start(true);
        editAdapter(ORIGINAL_FIELDS, EDITED_FIELDS);
        awaitEditedAdapter();
        String lastGood = Files.readString(adapter());

        try (CapturedLog log = CapturedLog.attach()) {
            String broken =
                    lastGood.replace("      steps:", "      steps: [\n        - to: {uri: direct:require-form\n");
            assertThat(broken).isNotEqualTo(lastGood);
            save(broken);
            Instant saved = Instant.now();

            // the watcher has to notice the save and try to load it: keep calling until the service has
            // logged the failed reload, then for 3 s more; every call must be served by the last good adapter
            Instant failureSeen = null;
            List<String> answers = new ArrayList<>();
            while (true) {
                Reply reply = webhook("msg");
                answers.add(reply.status() + " " + reply.field("error"));
                assertThat(reply.status())
                        .as(
                                "webhook %s after the broken save: %s (routes now: %s)",
                                Duration.between(saved, Instant.now()), reply, routeIds())
                        .isEqualTo(200);
                if (failureSeen == null && !reloadFailures(log).isEmpty()) {
                    failureSeen = Instant.now();
                }
                if (failureSeen != null
                        && Duration.between(failureSeen, Instant.now()).toMillis() >= 3000) {
                    break;
                }
                assertThat(Duration.between(saved, Instant.now()))
                        .as("the broken save was never reported as refused; log: %s", log.lines())
                        .isLessThan(Duration.ofSeconds(20));
                Thread.sleep(100);
            }
            System.out.printf(
                    "[RouteReloadTest] broken save noticed after %d ms; %d webhooks answered 200 meanwhile; %s%n",
                    Duration.between(saved, failureSeen).toMillis(), answers.size(), reloadFailures(log));
        }

        assertRoutesStarted(JAVA_ROUTES);
        assertRoutesStarted(FILE_ROUTES);
        Reply old = webhook("message_id");
        assertThat(old.status()).as("still the last good adapter: " + old).isEqualTo(400);
        assertThat(old.field("error")).isEqualTo("missing_field");

        // and the next good save is picked up again
        save(lastGood.replace(EDITED_FIELDS, ORIGINAL_FIELDS));
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(webhook("message_id").status()).isEqualTo(200));
    }

    @Test
    void aSaveWithAMisspeltParameterIsRefusedNamingItsLineAndTheLastGoodAdapterServes() throws Exception {
        start(true);
        try (CapturedLog log = CapturedLog.attach()) {
            editAdapter(ORIGINAL_FIELDS, "              mesageId: msg\n");
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(reloadFailures(log))
                            .anySatisfy(line -> assertThat(line)
                                    .contains("smsby.camel.yaml line 18: dlr:event has no parameter mesageId")));
            // the whole time, and after: the last good adapter answers
            for (int i = 0; i < 10; i++) {
                assertOldFieldsAccepted();
                Thread.sleep(100);
            }
        }
        assertRoutesStarted(FILE_ROUTES);
    }

    @Test
    void withoutReloadAnEditHasNoEffect() throws Exception {
        start(false);
        assertThat(hub.context().resolvePropertyPlaceholders("{{routes.reload}}"))
                .isEqualTo("false");
        assertOldFieldsAccepted();

        editAdapter(ORIGINAL_FIELDS, EDITED_FIELDS);

        Instant until = Instant.now().plusSeconds(4);
        while (Instant.now().isBefore(until)) {
            Reply old = webhook("message_id");
            assertThat(old.status())
                    .as("the running adapter is unchanged: " + old)
                    .isEqualTo(200);
            Reply edited = webhook("msg");
            assertThat(edited.status()).as("the edit is not loaded: " + edited).isEqualTo(400);
            assertThat(edited.field("error")).isEqualTo("missing_field");
            Thread.sleep(250);
        }
        assertRoutesStarted(FILE_ROUTES);
    }

    // ------------------------------------------------------------------------------------------

    void start(boolean reload) throws IOException {
        routes = directory.resolve("routes");
        Files.createDirectories(routes.resolve("mappings"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml"))
                    .toList()) {
                Files.copy(file, routes.resolve(file.getFileName()));
            }
        }
        try (Stream<Path> files = Files.list(Path.of("routes", "mappings"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, routes.resolve("mappings").resolve(file.getFileName()));
            }
        }
        assertThat(Files.readString(adapter())).contains(ORIGINAL_FIELDS);

        database = TestDatabase.h2InMemory();
        Map<String, String> settings = new HashMap<>();
        settings.put("smsby.tokens", TOKEN);
        settings.put("routes.dir", routes.toString());
        if (reload) {
            settings.put("routes.reload", "true");
        }
        hub = RunningHub.start(database, settings);
        assertRoutesStarted(JAVA_ROUTES);
        assertRoutesStarted(FILE_ROUTES);
    }

    Path adapter() {
        return routes.resolve("smsby.camel.yaml");
    }

    void editAdapter(String from, String to) throws IOException {
        String text = Files.readString(adapter());
        assertThat(text).contains(from);
        save(text.replace(from, to));
    }

    /** Writes the file in place, as an editor does, and moves its modification time on. */
    void save(String text) throws IOException {
        FileTime before = Files.getLastModifiedTime(adapter());
        Files.writeString(adapter(), text);
        FileTime after = Files.getLastModifiedTime(adapter());
        if (after.compareTo(before) <= 0) {
            Files.setLastModifiedTime(adapter(), FileTime.fromMillis(before.toMillis() + 1000));
        }
    }

    void assertOldFieldsAccepted() {
        Reply reply = webhook("message_id");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        String id = "reload-" + sequence.get();
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = ?", id))
                .isEqualTo(1);
    }

    void awaitEditedAdapter() {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    Reply edited = webhook("msg");
                    assertThat(edited.status())
                            .as("with the new field name: " + edited)
                            .isEqualTo(200);
                    assertThat(Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM delivery_event WHERE message_id = ?",
                                    "reload-" + sequence.get()))
                            .isEqualTo(1);
                    Reply old = webhook("message_id");
                    assertThat(old.status())
                            .as("with the old field name: " + old)
                            .isEqualTo(400);
                    assertThat(old.field("error")).isEqualTo("missing_field");
                    // the edited adapter names the form field it now reads
                    assertThat(old.field("message")).contains("msg");
                });
    }

    /** An sms.by webhook carrying the message id in the given form field. */
    Reply webhook(String idField) {
        String id = "reload-" + sequence.incrementAndGet();
        return hub.post(
                "/webhooks/smsby?token=" + TOKEN, FORM, "channel=SMS&" + idField + "=" + id + "&status=DELIVERED");
    }

    void assertRoutesStarted(List<String> ids) {
        for (String id : ids) {
            assertThat(hub.context().getRoute(id))
                    .as("route %s exists (routes: %s)", id, routeIds())
                    .isNotNull();
            assertThat(hub.context().getRouteController().getRouteStatus(id))
                    .as(id)
                    .isEqualTo(ServiceStatus.Started);
        }
    }

    List<String> routeIds() {
        return hub.context().getRoutes().stream()
                .map(r -> r.getRouteId())
                .sorted()
                .toList();
    }

    /** The service's errors about saves it refused (an empty file, the instant an editor truncates it, is not one). */
    static List<String> reloadFailures(CapturedLog log) {
        return log.lines().stream()
                .filter(l -> l.contains("is refused, the last good routes stay in use"))
                .map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l)
                .toList();
    }
}
