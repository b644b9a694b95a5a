package io.dlrhub;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * The names behind a family of {@code direct:} endpoints, e.g. the providers behind
 * {@code direct:provider-<name>} or the sinks behind {@code direct:sink-<name>}: adding a route file
 * adds a name. Looked up again only when routes were added or removed (reload).
 */
public final class RouteNames {

    /** Every sink is a route consuming {@code direct:sink-<name>} (normalized URI form). */
    public static final String SINK_PREFIX = "direct://sink-";

    private final CamelContext context;
    private final String prefix;
    private volatile Snapshot snapshot = new Snapshot(-1, List.of());

    /** @param prefix the endpoint URI before the name, e.g. {@code direct://provider-} */
    public RouteNames(CamelContext context, String prefix) {
        this.context = context;
        this.prefix = prefix;
    }

    /** The names, sorted. */
    public List<String> names() {
        Snapshot current = snapshot;
        int routeCount = context.getRoutesSize();
        if (current.routeCount() != routeCount) {
            Set<String> names = new TreeSet<>();
            for (Route route : context.getRoutes()) {
                String uri = route.getEndpoint().getEndpointUri();
                if (uri.startsWith(prefix)) {
                    names.add(uri.substring(prefix.length()));
                }
            }
            current = new Snapshot(routeCount, List.copyOf(names));
            snapshot = current;
        }
        return current.names();
    }

    private record Snapshot(int routeCount, List<String> names) {}
}
