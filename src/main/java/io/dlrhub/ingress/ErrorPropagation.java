package io.dlrhub.ingress;

import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * Routes called from webhook-ingress (adapters, persist-events) must not handle
 * their own failures: with Camel's default error handler a failure deep in an adapter would be
 * "exhausted" there and the caller could no longer turn it into a 4xx/503 answer. This route
 * configuration, which applies to every route that does not choose another, passes failures back
 * to the caller; webhook-ingress has its own handler that answers them.
 */
public class ErrorPropagation extends RouteConfigurationBuilder {

    @Override
    public void configuration() {
        routeConfiguration().errorHandler(noErrorHandler());
    }
}
