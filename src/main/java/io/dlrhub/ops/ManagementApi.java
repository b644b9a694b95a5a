package io.dlrhub.ops;

import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.auth.ForbiddenException;
import io.dlrhub.auth.UnauthenticatedException;
import io.dlrhub.http.HttpServerConfiguration;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.store.StoreUnavailableException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.DefaultErrorHandlerBuilder;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every operations API route shares: it is served on the management port, requires the
 * admin token or a console session, and answers failures as JSON (401, 403 for a console request
 * without its CSRF token, 400 for bad parameters or body, 415 for a body that is not JSON, 503
 * without database).
 */
public final class ManagementApi {

    public static final String ON_MANAGEMENT_PORT = "platformHttpEngine=#" + HttpServerConfiguration.MANAGEMENT_ENGINE;
    private static final Logger LOG = LoggerFactory.getLogger(ManagementApi.class);

    private ManagementApi() {}

    /**
     * Adds error answers and the admin check (token or console session) to an operations API route;
     * {@code admin} is the shared one of {@link OpsConfiguration}, which knows the console's sessions.
     */
    public static RouteDefinition secured(RouteDefinition route, AdminAuthenticator admin) {
        answeringErrors(route);
        route.process(admin::authenticate);
        return route;
    }

    /** Adds the JSON error answers alone, for routes that check who calls them themselves (the console's sign-in). */
    public static RouteDefinition answeringErrors(RouteDefinition route) {
        route.errorHandler(new DefaultErrorHandlerBuilder().logExhausted(false));
        route.onException(Exception.class).handled(true).process(ManagementApi::failed);
        return route;
    }

    private static void failed(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure instanceof UnauthenticatedException) {
            JsonAnswer.error(exchange, 401, "unauthorized", failure.getMessage());
        } else if (failure instanceof JsonBody.UnsupportedMediaTypeException) {
            JsonAnswer.error(exchange, 415, "unsupported_media_type", failure.getMessage());
        } else if (failure instanceof JsonBody.InvalidBodyException) {
            JsonAnswer.error(exchange, 400, "invalid_body", failure.getMessage());
        } else if (failure instanceof ForbiddenException) {
            JsonAnswer.error(exchange, 403, "forbidden", failure.getMessage());
        } else if (failure instanceof IllegalArgumentException) {
            JsonAnswer.error(exchange, 400, "invalid_parameter", failure.getMessage());
        } else if (failure instanceof StoreUnavailableException) {
            JsonAnswer.error(exchange, 503, "unavailable", "the database is unavailable");
        } else {
            LOG.error("Operations API request failed", failure);
            JsonAnswer.error(exchange, 500, "internal_error", "the request could not be processed");
        }
    }
}
