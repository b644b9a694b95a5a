package io.dlrhub;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.EndpointHelper;

/**
 * Checks every typed setting by {@link SettingValues}'s rule at start, so a bad value stops
 * start-up naming its key. Most are also read strictly where they are used; this list is for the
 * ones only Camel reads (camel.component.http.* from crm.timeout-ms, smtp.port and smtp.timeout-ms
 * in routes/sink-alert.camel.yaml, outbox.poll-interval-ms in a timer URI), which Camel would take
 * loosely ("1s") or refuse without naming our key, and for the settings of each sink, which are
 * otherwise read at the first event. docs/configuration.md lists the same keys by type.
 */
public class SettingsCheck implements CamelConfiguration {

    static final List<String> BOOLEANS =
            List.of("smtp.starttls", "routes.reload", "http.blocking-adapters", "console.cookie-secure");

    static final List<String> NUMBERS = List.of(
            "http.port",
            "management.port",
            "smtp.port",
            "max-body-bytes",
            "max-concurrent-requests",
            "max-concurrent-requests-per-address",
            "http.max-connections-per-address",
            "rate-limit-per-second",
            "http.worker-threads",
            "db.writers",
            "db.batch-size",
            "db.pool-size",
            "db.max-queued-events",
            "outbox.concurrency",
            "outbox.batch-size",
            "outbox.max-attempts",
            "crm.max-attempts",
            "retention.batch-size",
            "replay.rate-per-second",
            "backfill.rate-per-second");

    static final List<String> DURATIONS = List.of(
            "request-timeout-ms",
            "http.read-timeout-ms",
            "http.idle-timeout-ms",
            "db.commit-timeout-ms",
            "db.connect-timeout-ms",
            "db.startup-timeout-ms",
            "db.statement-timeout-ms",
            "db.lock-timeout-ms",
            "db.socket-timeout-ms",
            "outbox.poll-interval-ms",
            "outbox.lease-ms",
            "outbox.delivery-timeout-ms",
            "outbox.retry-initial-ms",
            "outbox.retry-max-ms",
            "crm.timeout-ms",
            "crm.retry-initial-ms",
            "crm.retry-max-ms",
            "smtp.timeout-ms",
            "alert.digest-seconds",
            "retention.days",
            "retention.pause-ms",
            "retention.interval-ms",
            "metrics.database-refresh-ms",
            "console.session-idle-seconds",
            "console.session-max-seconds");

    static final List<String> SINK_BOOLEANS = List.of("enabled");
    static final List<String> SINK_NUMBERS = List.of("max-attempts", "concurrency");
    static final List<String> SINK_DURATIONS =
            List.of("digest-seconds", "retry-initial-ms", "retry-max-ms", "timeout-ms");

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        checkGlobal(settings);
        // sinks are routes, known only once the route files are loaded: check them before any starts
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarting(CamelContext starting, boolean alreadyStarted) {
                for (String sink : sinkNames(starting)) {
                    checkSink(settings, sink);
                }
            }

            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {}
        });
    }

    /**
     * The sinks from the route definitions: Camel creates the routes themselves (what outbox.Sinks
     * looks at) only after the starting listeners, and a sink must not be half started on a bad setting.
     */
    private static Set<String> sinkNames(CamelContext context) {
        Set<String> names = new TreeSet<>();
        for (RouteDefinition route :
                context.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions()) {
            String uri = EndpointHelper.normalizeEndpointUri(route.getInput().getEndpointUri());
            if (uri.startsWith(RouteNames.SINK_PREFIX)) {
                names.add(uri.substring(RouteNames.SINK_PREFIX.length()));
            }
        }
        return names;
    }

    static void checkGlobal(Settings settings) {
        BOOLEANS.forEach(key -> settings.getBoolean(key, false));
        NUMBERS.forEach(key -> settings.getLong(key, 0));
        DURATIONS.forEach(key -> settings.getDuration(key, 0));
    }

    static void checkSink(Settings settings, String sink) {
        String prefix = "sink." + sink + ".";
        SINK_BOOLEANS.forEach(key -> settings.getBoolean(prefix + key, false));
        SINK_NUMBERS.forEach(key -> settings.getLong(prefix + key, 0));
        SINK_DURATIONS.forEach(key -> settings.getDuration(prefix + key, 0));
    }
}
