package io.dlrhub.ingress;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.support.EndpointHelper;

/**
 * The methods a webhook URL takes, for the Allow header of a 405 (the listener knows only its
 * router's methods, see http.RouterMethods), so provider support can see what to send instead.
 */
final class AllowedMethods {

    static final String WEBHOOKS = "/webhooks/";

    private AllowedMethods() {}

    /**
     * The methods the listener's router has for a path; for a webhook URL narrowed to the ones its
     * provider's adapter takes (sms.by only POST, although the ingress takes GET too).
     */
    static List<String> of(CamelContext context, String path, Set<String> onRouter) {
        Set<String> methods = new TreeSet<>(onRouter);
        if (path != null && path.startsWith(WEBHOOKS)) {
            Set<String> provider = ofProvider(context, path.substring(WEBHOOKS.length()));
            if (!provider.isEmpty()) {
                methods.retainAll(provider);
            }
        }
        return List.copyOf(methods);
    }

    /** The methods of the request guards (direct:require-*) the provider's adapter route sends to; empty if none. */
    static Set<String> ofProvider(CamelContext context, String provider) {
        Set<String> methods = new TreeSet<>();
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        if (model == null) {
            return methods;
        }
        for (RouteDefinition route : model.getRouteDefinitions()) {
            String from = EndpointHelper.normalizeEndpointUri(route.getInput().getEndpointUri());
            if (from.equals(ProviderDirectory.ADAPTER_PREFIX + provider)) {
                for (ToDefinition to :
                        ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class)) {
                    String method = RequestGuards.METHOD_OF_GUARD.get(EndpointHelper.normalizeEndpointUri(to.getUri()));
                    if (method != null) {
                        methods.add(method);
                    }
                }
            }
        }
        return methods;
    }
}
