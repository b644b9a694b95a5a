package io.dlrhub.ingress;

import org.apache.camel.Exchange;

/** Sets a JSON HTTP answer on an exchange that came in over platform-http. */
public final class JsonAnswer {

    private JsonAnswer() {
    }

    /**
     * Every request header, query parameter and form field arrived as a message header; all of
     * them are dropped so that none is echoed back as a response header.
     */
    public static void answer(Exchange exchange, int status, String json) {
        Object retryAfter = exchange.getMessage().getHeader("Retry-After");
        exchange.getMessage().getHeaders().clear();
        if (retryAfter != null) {
            exchange.getMessage().setHeader("Retry-After", retryAfter);
        }
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json);
    }

    public static void error(Exchange exchange, int status, String code, String message) {
        answer(exchange, status, ErrorBody.json(code, message));
    }
}
