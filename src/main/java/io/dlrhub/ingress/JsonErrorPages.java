package io.dlrhub.ingress;

import io.dlrhub.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;

/**
 * Vert.x answers some requests itself (no such path, wrong method, body over the limit) before
 * any Camel route runs; these handlers make those answers JSON like every other error, and log them.
 */
final class JsonErrorPages {

    private static final String WEBHOOKS = "/webhooks/";

    private JsonErrorPages() {
    }

    private static volatile MeterRegistry metrics;
    private static volatile ProviderDirectory providers;

    /** @param webhooks true for the webhook listener, whose refusals also go to the event log and metrics */
    static void install(Router router, boolean webhooks, MeterRegistry registry, CamelContext context) {
        if (webhooks) {
            metrics = registry;
            providers = new ProviderDirectory(context);
        }
        router.errorHandler(400, ctx -> answer(ctx, webhooks, 400, "bad_request", "the request is not valid HTTP"));
        router.errorHandler(404, ctx -> answer(ctx, webhooks, 404, "not_found",
                webhooks ? "no such endpoint: webhooks are POST /webhooks/{provider}" : "no such endpoint"));
        router.errorHandler(405, ctx -> {
            String allow = String.join(", ", AllowedMethods.of(router, ctx.normalizedPath(), webhooks ? context : null));
            ctx.response().putHeader(JsonAnswer.ALLOW, allow);
            answer(ctx, webhooks, 405, "method_not_allowed",
                    (webhooks ? "webhooks to this URL are sent with " : "this path takes ") + allow);
        });
        router.errorHandler(408, ctx -> answer(ctx, webhooks, 408, "request_timeout",
                "the request was not received in time (REQUEST_TIMEOUT_MS)"));
        router.errorHandler(417, ctx -> answer(ctx, webhooks, 417, "expectation_failed",
                "only Expect: 100-continue is supported"));
        router.errorHandler(413, ctx -> answer(ctx, webhooks, 413, "payload_too_large",
                "the body is larger than the limit (MAX_BODY_BYTES)"));
        router.errorHandler(500, ctx -> answer(ctx, webhooks, 500, "internal_error", "the request could not be processed"));
    }

    static void stopping(RoutingContext ctx, boolean webhooks) {
        ctx.response().putHeader("Retry-After", "5");
        answer(ctx, webhooks, 503, "unavailable", "the service is stopping; nothing was accepted, retry later");
    }

    /** Answers a request Vert.x-side (no route ran) with a JSON error; webhook refusals are logged and counted. */
    static void answer(RoutingContext ctx, boolean webhooks, int status, String code, String message) {
        if (webhooks) {
            String path = ctx.request().path();
            String segment = path != null && path.startsWith(WEBHOOKS) ? path.substring(WEBHOOKS.length()) : null;
            // an unmatched path is what the caller typed ("/webhooks/smsby/<token>"): only an installed
            // provider's name is logged, never the path or the query
            String provider = providers != null && providers.exists(segment) ? segment : null;
            String remote = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
            EventLog.record(provider, status, "rejected", code, remote, null);
            if (metrics != null) {
                Metrics.webhook(metrics, "-", "rejected", code);
            }
        }
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
