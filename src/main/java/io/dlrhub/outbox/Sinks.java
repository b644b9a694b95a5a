package io.dlrhub.outbox;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import io.dlrhub.Settings;
import io.dlrhub.event.CanonicalEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * The sinks: every route that consumes {@code direct:sink-<name>}. Adding a sink is adding such a
 * route file; its settings ({@code sink.<name>.*}) say which events it wants and how it is retried.
 */
public class Sinks {

    static final String SINK_PREFIX = "direct://sink-";

    private final CamelContext context;
    private final Settings settings;
    private final Map<String, SinkSettings> settingsByName = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = new Snapshot(-1, List.of());

    public Sinks(CamelContext context) {
        this.context = context;
        this.settings = new Settings(context);
    }

    public List<String> names() {
        Snapshot current = snapshot;
        int routeCount = context.getRoutesSize();
        if (current.routeCount() != routeCount) {
            Set<String> names = new TreeSet<>();
            for (Route route : context.getRoutes()) {
                String uri = route.getEndpoint().getEndpointUri();
                if (uri.startsWith(SINK_PREFIX)) {
                    names.add(uri.substring(SINK_PREFIX.length()));
                }
            }
            current = new Snapshot(routeCount, List.copyOf(names));
            snapshot = current;
        }
        return current.names();
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

    private record Snapshot(int routeCount, List<String> names) {
    }
}
