package io.dlrhub.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Vert.x answers some requests itself (no such path, wrong method, body over the limit) before
 * any Camel route runs; these handlers make those answers JSON like every other error. One per
 * listener: what the routes behind it add (messages, logging, counting) comes from its
 * {@link PublicRoutes}, plugged in when the listener starts, before it listens (the guards hold
 * this object from their creation on). No static state: two hubs in one JVM keep their own.
 */
final class JsonErrorPages {

    private volatile PublicRoutes routes = PublicRoutes.NONE;

    void plugIn(PublicRoutes routes) {
        this.routes = routes;
    }

    /** The error handlers of the listener's router. */
    void install(Router router) {
        router.errorHandler(400, ctx -> answer(ctx, 400, "bad_request", "the request is not valid HTTP"));
        router.errorHandler(404, ctx -> answer(ctx, 404, "not_found", routes.notFound()));
        router.errorHandler(405, ctx -> {
            String allow = String.join(
                    ", ", routes.allowedMethods(ctx.normalizedPath(), RouterMethods.of(router, ctx.normalizedPath())));
            ctx.response().putHeader(JsonAnswer.ALLOW, allow);
            answer(ctx, 405, "method_not_allowed", routes.methodNotAllowed(allow));
        });
        router.errorHandler(
                408,
                ctx -> answer(
                        ctx, 408, "request_timeout", "the request was not received in time (REQUEST_TIMEOUT_MS)"));
        router.errorHandler(
                417, ctx -> answer(ctx, 417, "expectation_failed", "only Expect: 100-continue is supported"));
        router.errorHandler(
                413,
                ctx -> answer(ctx, 413, "payload_too_large", "the body is larger than the limit (MAX_BODY_BYTES)"));
        router.errorHandler(500, ctx -> answer(ctx, 500, "internal_error", "the request could not be processed"));
    }

    void stopping(RoutingContext ctx) {
        ctx.response().putHeader("Retry-After", "5");
        answer(ctx, 503, "unavailable", "the service is stopping; nothing was accepted, retry later");
    }

    /** Answers a request Vert.x-side (no route ran) with a JSON error, and tells the listener's routes. */
    void answer(RoutingContext ctx, int status, String code, String message) {
        String remote = ctx.request().remoteAddress() == null
                ? null
                : ctx.request().remoteAddress().hostAddress();
        routes.refused(ctx.request().path(), remote, status, code);
        if (ctx.response().ended()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(ErrorBody.json(code, message));
    }
}
