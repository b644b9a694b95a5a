package io.dlrhub.http;

import org.apache.camel.Exchange;

/** Sets a JSON HTTP answer on an exchange that came in over platform-http. */
public final class JsonAnswer {

    /** The methods a path takes; kept on a 405 like Retry-After on a 503. */
    public static final String ALLOW = "Allow";

    private static final String RETRY_AFTER_VARIABLE = "dlrAnswerRetryAfter";
    private static final String ALLOW_VARIABLE = "dlrAnswerAllow";

    private JsonAnswer() {}

    /** Retry-After of this answer; an exchange variable, never a message header (those come from the request). */
    public static void retryAfter(Exchange exchange, String seconds) {
        exchange.setVariable(RETRY_AFTER_VARIABLE, seconds);
    }

    /** The Allow header of a 405 answer (see {@link #retryAfter}). */
    public static void allow(Exchange exchange, String methods) {
        exchange.setVariable(ALLOW_VARIABLE, methods);
    }

    /**
     * Every request header, query parameter and form field arrived as a message header; all of
     * them are dropped so that none is echoed back as a response header. The answer headers of
     * this answer (Retry-After, Allow) come from variables our code set: a request's own
     * {@code Retry-After: x} or {@code ?Retry-After=x} was echoed back before.
     */
    public static void answer(Exchange exchange, int status, String json) {
        Object retryAfter = exchange.getVariable(RETRY_AFTER_VARIABLE);
        Object allow = status == 405 ? exchange.getVariable(ALLOW_VARIABLE) : null;
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
