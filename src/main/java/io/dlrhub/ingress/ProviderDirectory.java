package io.dlrhub.ingress;

import io.dlrhub.RouteNames;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;

/**
 * Knows which providers exist: a provider is any route that consumes {@code direct:provider-<name>},
 * so adding a provider is adding a route file; nothing is registered in Java.
 */
public class ProviderDirectory {

    static final String ADAPTER_PREFIX = "direct://provider-";
    private static final Pattern PROVIDER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private final RouteNames adapters;

    public ProviderDirectory(CamelContext context) {
        this.adapters = new RouteNames(context, ADAPTER_PREFIX);
    }

    public boolean exists(String provider) {
        return provider != null
                && PROVIDER_NAME.matcher(provider).matches()
                && providers().contains(provider);
    }

    /** The installed providers, sorted. */
    public List<String> providers() {
        return adapters.names();
    }
}
