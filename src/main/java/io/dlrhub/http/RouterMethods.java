package io.dlrhub.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.Set;
import java.util.TreeSet;

/**
 * The methods a path takes on a listener's router, for the Allow header every 405 must carry
 * (RFC 9110 15.5.6), so a client can see what to send instead.
 */
final class RouterMethods {

    private RouterMethods() {}

    /** Methods of the routes matching the path; a route with no method restriction cannot cause a 405. */
    static Set<String> of(Router router, String path) {
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
}
