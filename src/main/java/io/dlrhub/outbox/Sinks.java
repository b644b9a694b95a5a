package io.dlrhub.outbox;

import io.dlrhub.RouteNames;
import io.dlrhub.Settings;
import io.dlrhub.event.CanonicalEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;

/**
 * The sinks: every route that consumes {@code direct:sink-<name>}. Adding a sink is adding such a
 * route file; its settings ({@code sink.<name>.*}) say which events it wants and how it is retried.
 */
public class Sinks {

    private final Settings settings;
    private final Map<String, SinkSettings> settingsByName = new ConcurrentHashMap<>();
    private final RouteNames routes;

    public Sinks(CamelContext context) {
        this.settings = new Settings(context);
        this.routes = new RouteNames(context, RouteNames.SINK_PREFIX);
    }

    public List<String> names() {
        return routes.names();
    }

    public SinkSettings settings(String sink) {
        return settingsByName.computeIfAbsent(sink, name -> SinkSettings.read(name, settings));
    }

    /** The sinks that want this event, with how long each delivery waits (digest sinks batch). */
    public Map<String, Duration> subscribersOf(CanonicalEvent event) {
        Map<String, Duration> subscribers = new LinkedHashMap<>();
        for (String sink : names()) {
            SinkSettings sinkSettings = settings(sink);
            if (sinkSettings.wants(event.status())) {
                subscribers.put(sink, sinkSettings.digest());
            }
        }
        return subscribers;
    }
}
