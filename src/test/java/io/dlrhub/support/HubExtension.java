package io.dlrhub.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link RunningHub} shared by all tests of a class: started before the first test, closed
 * after the last one, also when a test, a later extension or the start itself failed.
 * <pre>{@code
 * @RegisterExtension
 * static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory).with("smsby.tokens", TOKEN);
 *
 * final RunningHub hub = shared.hub();           // ready when the test instance is made
 * final TestDatabase database = shared.database();
 * }</pre>
 * The database is made when the class starts (PostgreSQL: a fresh schema); the hub keeps the
 * application's pool size and is closed before the next class starts, so classes' pools never add
 * up on the shared PostgreSQL. Settings known only at start (a stub server's port, a key store
 * made in a {@code @TempDir}) come from {@link #withSettingsFrom}, called once just before the hub
 * starts; register the extension that provides them first ({@code @Order}).
 * <p>
 * A {@code @TestInstance(PER_CLASS)} instance is made before the hub starts: such a class reads
 * {@link #hub()} in its {@code @BeforeAll} method or in its tests, not in field initializers.
 */
public final class HubExtension implements BeforeAllCallback, AfterAllCallback {

    /** Settings computed when the hub starts; may throw whatever making them throws. */
    @FunctionalInterface
    public interface SettingsAtStart {
        Map<String, String> get() throws Exception;
    }

    private final Supplier<TestDatabase> databases;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final List<SettingsAtStart> settingsAtStart = new ArrayList<>();

    private TestDatabase database;
    private RunningHub hub;
    /** The class whose start made the hub: a {@code @Nested} class shares it and does not close it. */
    private String startedBy;

    private HubExtension(Supplier<TestDatabase> databases) {
        this.databases = databases;
    }

    /** A hub on a database this supplier makes when the class starts (e.g. {@code TestDatabase::postgres}). */
    public static HubExtension on(Supplier<TestDatabase> databases) {
        return new HubExtension(databases);
    }

    public HubExtension with(String name, String value) {
        settings.put(name, value);
        return this;
    }

    public HubExtension with(Map<String, String> more) {
        settings.putAll(more);
        return this;
    }

    /** Settings only known when the class starts; they win over {@link #with} on the same name. */
    public HubExtension withSettingsFrom(SettingsAtStart more) {
        settingsAtStart.add(more);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (hub != null) {
            return; // a @Nested class: the enclosing class's hub serves it
        }
        Map<String, String> all = new HashMap<>(settings);
        for (SettingsAtStart more : settingsAtStart) {
            all.putAll(more.get());
        }
        database = databases.get();
        // RunningHub.start stops what it started when the start fails, so a failed start leaves nothing open
        hub = RunningHub.start(database, all);
        startedBy = context.getUniqueId();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (hub == null || !context.getUniqueId().equals(startedBy)) {
            return;
        }
        try {
            hub.close();
        } finally {
            hub = null;
            database = null;
            startedBy = null;
        }
    }

    /** The running hub: from @BeforeAll on, until the class's tests are done. */
    public RunningHub hub() {
        if (hub == null) {
            throw new IllegalStateException("the hub is not running: it starts before the class's @BeforeAll methods"
                    + " (after a PER_CLASS test instance is made) and stops after its @AfterAll methods");
        }
        return hub;
    }

    /** The database the hub writes to. */
    public TestDatabase database() {
        hub();
        return database;
    }
}
