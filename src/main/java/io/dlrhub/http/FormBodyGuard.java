package io.dlrhub.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;

/**
 * Vert.x's body handler decodes every form-urlencoded or multipart request as a form, and throws
 * for a method that cannot carry one ("Request method must be one of POST, PUT, PATCH or DELETE"):
 * a GET with {@code Content-Type: application/x-www-form-urlencoded} and a body (or
 * {@code Content-Length: 0}, or chunked) became a 500. Such a request is refused with a 400 before
 * the body handler sees it (a route of the listener's router, ahead of every platform-http route).
 */
final class FormBodyGuard implements Handler<RoutingContext> {

    /** The methods Vert.x decodes a form body for (HttpUtils.isValidMultipartMethod). */
    private static final Set<String> FORM_METHODS = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final JsonErrorPages pages;

    FormBodyGuard(JsonErrorPages pages) {
        this.pages = pages;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String method = ctx.request().method().name();
        if (!FORM_METHODS.contains(method) && isForm(ctx.request().getHeader("Content-Type"))) {
            pages.answer(
                    ctx,
                    400,
                    "bad_request",
                    "a " + method + " request carries no form: send form fields with POST, or in the query string");
            return;
        }
        ctx.next();
    }

    private static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.toLowerCase(Locale.ROOT).trim();
        return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/");
    }
}
