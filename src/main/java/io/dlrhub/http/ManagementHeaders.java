package io.dlrhub.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

/**
 * Answer headers of every response of the management listener, set just before they are written
 * (whatever answered: a route, an error page): the operator console's pages may load scripts,
 * styles and data from this origin only and run no inline script, may not be framed, and nothing
 * (pages, API answers with event data) is kept by a browser or proxy cache.
 */
final class ManagementHeaders implements Handler<RoutingContext> {

    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    @Override
    public void handle(RoutingContext ctx) {
        ctx.addHeadersEndHandler(ignored -> {
            MultiMap headers = ctx.response().headers();
            headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.set("X-Frame-Options", "DENY");
            headers.set("X-Content-Type-Options", "nosniff");
            // not no-referrer: with it browsers send "Origin: null" on a form POST, and the console's
            // check that a state-changing request comes from its own origin needs the real one
            headers.set("Referrer-Policy", "same-origin");
            headers.set("Cache-Control", "no-store");
        });
        ctx.next();
    }
}
