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

    public ProviderDirectory(CamelContext context) {
        this.context = context;
    }

    public boolean exists(String provider) {
        if (provider == null || !PROVIDER_NAME.matcher(provider).matches()) {
            return false;
        }
        String uri = ADAPTER_PREFIX + provider;
        for (Route route : context.getRoutes()) {
            if (uri.equals(route.getEndpoint().getEndpointUri())) {
                return true;
            }
        }
        return false;
    }

    public Set<String> providers() {
        Set<String> providers = new TreeSet<>();
        for (Route route : context.getRoutes()) {
            String uri = route.getEndpoint().getEndpointUri();
            if (uri.startsWith(ADAPTER_PREFIX)) {
                providers.add(uri.substring(ADAPTER_PREFIX.length()));
            }
        }
        return providers;
    }
}
