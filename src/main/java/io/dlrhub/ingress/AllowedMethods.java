package io.dlrhub.ingress;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.support.EndpointHelper;

/**
 * The methods a path takes, for the Allow header every 405 must carry (RFC 9110 15.5.6), so a
 * client or provider support can see what to send instead.
 */
final class AllowedMethods {

    private static final String WEBHOOKS = "/webhooks/";

    private AllowedMethods() {
    }

    /**
     * The methods of the listener's routes whose path matches; for a webhook URL narrowed to the
     * ones its provider's adapter takes (sms.by only POST, although the ingress takes GET too).
     *
     * @param context null on the management listener
     */
    static List<String> of(Router router, String path, CamelContext context) {
        Set<String> methods = onRouter(router, path);
        if (context != null && path != null && path.startsWith(WEBHOOKS)) {
            Set<String> provider = ofProvider(context, path.substring(WEBHOOKS.length()));
            if (!provider.isEmpty()) {
                methods.retainAll(provider);
            }
        }
        return List.copyOf(methods);
    }

    /** Methods of the routes matching the path; a route with no method restriction cannot cause a 405. */
    static Set<String> onRouter(Router router, String path) {
        Set<String> methods = new TreeSet<>();
        for (Route route : router.getRoutes()) {
            Set<HttpMethod> restricted = route.methods();
            if (restricted != null && !restricted.isEmpty() && matches(route.getPath(), path)) {
                restricted.forEach(method -> methods.add(method.name()));
            }
        }
        return methods;
    }

    /**
     * Vert.x keeps the template of a path with parameters (and calls it a regex path):
     * "/api/messages/:provider/:message_id" matches "/api/messages/smsby/m-1": one segment per parameter. */
    static boolean matches(String template, String path) {
        if (template == null || path == null) {
            return false;
        }
        // Vert.x serves "/api/outbox/" as "/api/outbox": split drops the trailing empty segment
        String[] wanted = template.split("/");
        String[] actual = path.split("/");
        if (wanted.length != actual.length) {
            return false;
        }
        for (int i = 0; i < wanted.length; i++) {
            boolean parameter = wanted[i].startsWith(":") || wanted[i].startsWith("{");
            if (parameter ? actual[i].isEmpty() : !wanted[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
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
                for (ToDefinition to : ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDefinition.class)) {
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
