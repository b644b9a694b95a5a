package io.dlrhub.http;

import io.dlrhub.auth.WebhookRequest;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * Values read from the request as it was sent ({@link WebhookRequest}), never from Camel's message
 * headers: platform-http puts real headers, every query parameter and the path parameters under
 * the same header names, so {@code ?webhook-id=x}, {@code ?id=7} or a {@code provider:} header
 * would join or replace the value a check looked at. The listener captures it for every
 * platform-http exchange (HttpServerConfiguration.CapturingConsumer).
 */
public final class ExactSource {

    /** Exchange property: true when the request came over TLS (the listener's own, not a proxy's). */
    public static final String TLS = "dlrTls";

    private ExactSource() {}

    /** Whether the request came to the listener over TLS. */
    public static boolean overTls(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty(TLS, Boolean.class));
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
}
