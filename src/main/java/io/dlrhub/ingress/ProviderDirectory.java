package io.dlrhub.ingress;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/**
 * Knows which providers exist: a provider is any route that consumes {@code direct:provider-<name>},
 * so adding a provider is adding a route file; nothing is registered in Java.
 */
public class ProviderDirectory {

    static final String ADAPTER_PREFIX = "direct://provider-";
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final CamelContext context;
    private volatile Snapshot snapshot = new Snapshot(-1, Set.of());

    public ProviderDirectory(CamelContext context) {
        this.context = context;
    }

    public boolean exists(String provider) {
        return provider != null && PROVIDER_NAME.matcher(provider).matches() && providers().contains(provider);
    }

    /** The installed providers; looked up again whenever routes were added or removed (reload). */
    public Set<String> providers() {
        Snapshot current = snapshot;
        int routeCount = context.getRoutesSize();
        if (current.routeCount() != routeCount) {
            Set<String> providers = new TreeSet<>();
            for (Route route : context.getRoutes()) {
                String uri = route.getEndpoint().getEndpointUri();
                if (uri.startsWith(ADAPTER_PREFIX)) {
                    providers.add(uri.substring(ADAPTER_PREFIX.length()));
                }
            }
            current = new Snapshot(routeCount, Set.copyOf(providers));
            snapshot = current;
        }
        return current.providers();
    }

    private record Snapshot(int routeCount, Set<String> providers) {
    }
}
