package io.dlrhub.http;

import java.util.List;
import java.util.Set;

/**
 * What the routes served on the public listener tell it, so that http knows no providers and no
 * webhooks: ingress binds one in the registry (as the store's {@code EventStore.NewEventHook} lets
 * the outbox in), and the listener looks it up by type when it starts, after every route is
 * configured. Without one, the listener answers as the management listener does.
 */
public interface PublicRoutes {

    /** The listener of the management port, and a public one nobody plugged into. */
    PublicRoutes NONE = new PublicRoutes() {};

    /** The path under which the routes are served (ending with "/"): the request deadline and the traffic guard apply there. */
    default String path() {
        return "/";
    }

    /** The message of a 404. */
    default String notFound() {
        return "no such endpoint";
    }

    /** The message of a 405, given the Allow header's value. */
    default String methodNotAllowed(String allow) {
        return "this path takes " + allow;
    }

    /** The methods the path takes: those of the router's routes, possibly narrowed by what the route behind them accepts. */
    default List<String> allowedMethods(String path, Set<String> onRouter) {
        return List.copyOf(onRouter);
    }

    /**
     * Told of every request the listener refused before a route ran (logging, counting).
     *
     * @param path as requested, not decoded
     * @param remote the TCP peer's address, or null
     */
    default void refused(String path, String remote, int status, String code) {}
}
