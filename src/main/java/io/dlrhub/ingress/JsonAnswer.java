package io.dlrhub.ingress;

import org.apache.camel.Exchange;

/** Sets a JSON HTTP answer on an exchange that came in over platform-http. */
public final class JsonAnswer {

    /** The methods a path takes; kept on a 405 like Retry-After on a 503. */
    public static final String ALLOW = "Allow";

    private JsonAnswer() {
    }

    /**
     * Every request header, query parameter and form field arrived as a message header; all of
     * them are dropped so that none is echoed back as a response header, except the answer headers
     * set for this answer (Retry-After, Allow).
     */
    public static void answer(Exchange exchange, int status, String json) {
        Object retryAfter = exchange.getMessage().getHeader("Retry-After");
        Object allow = status == 405 ? exchange.getMessage().getHeader(ALLOW) : null;
        exchange.getMessage().getHeaders().clear();
        if (retryAfter != null) {
            exchange.getMessage().setHeader("Retry-After", retryAfter);
        }
        if (allow != null) {
            exchange.getMessage().setHeader(ALLOW, allow);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json);
    }

    public static void error(Exchange exchange, int status, String code, String message) {
        answer(exchange, status, ErrorBody.json(code, message));
    }
}
