package io.dlrhub.ingress;

import java.util.List;

import io.dlrhub.auth.StandardWebhooksScheme;
import io.dlrhub.auth.WebhookRequest;
import org.apache.camel.Exchange;

/**
 * Values read from the request as it was sent ({@link WebhookRequest}), never from Camel's message
 * headers: platform-http puts real headers, every query parameter and the path parameters under
 * the same header names, so {@code ?webhook-id=x}, {@code ?id=7} or a {@code provider:} header
 * would join or replace the value a check looked at.
 * <p>
 * For adapters, webhook-ingress sets these variables from the exact source:
 * {@code dlrMethod} (GET, POST), {@code dlrContentType} (media type, lower case, no parameters)
 * and {@code dlrWebhookId} (the one {@code webhook-id} header, the value a Standard Webhooks
 * signature covers).
 */
public final class ExactSource {

    public static final String METHOD = "dlrMethod";
    public static final String CONTENT_TYPE = "dlrContentType";
    public static final String WEBHOOK_ID = "dlrWebhookId";

    private ExactSource() {
    }

    public static WebhookRequest request(Exchange exchange) {
        WebhookRequest request = exchange.getProperty(WebhookRequest.PROPERTY, WebhookRequest.class);
        if (request == null) {
            throw new IllegalStateException("the request was not captured (not a platform-http exchange of dlr-hub)");
        }
        return request;
    }

    /** A parameter of the route's path template, as the router matched it. */
    public static String pathParam(Exchange exchange, String name) {
        return request(exchange).pathParam(name);
    }

    /**
     * The one value of a query parameter, or null when absent.
     *
     * @throws IllegalArgumentException when it is given more than once or the query is not valid URL encoding
     */
    public static String queryParam(Exchange exchange, String name) {
        List<String> values;
        try {
            values = request(exchange).queryValues(name);
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException("the query string is not valid URL encoding");
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + " is given more than once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /** Sets the variables adapters choose and dedup on (see the class comment). */
    static void expose(Exchange exchange) {
        WebhookRequest request = request(exchange);
        exchange.setVariable(METHOD, request.method());
        exchange.setVariable(CONTENT_TYPE, request.contentType());
        // refused when sent twice (401): the signature covers one copy, the dedup key must be that copy
        exchange.setVariable(WEBHOOK_ID, request.singleHeader(StandardWebhooksScheme.ID_HEADER));
    }
}
