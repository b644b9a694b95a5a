package io.dlrhub.auth;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What authentication may look at, captured from the HTTP request itself (not from Camel
 * headers, where form fields, query parameters, path parameters and real headers mix: a query
 * parameter or a second header of the same name joins or replaces the value a check verified).
 * A security decision reads its value from here, from the very source it was verified in.
 *
 * @param uri        the request target as sent: path plus query, percent-encoded
 * @param headers    real HTTP headers, names case-insensitive
 * @param rawBody    the body bytes exactly as received (signatures are computed over these)
 * @param remote     the address of the TCP peer
 * @param pathParams the parameters of the route's path template, as the router matched them
 */
public record WebhookRequest(
        String method,
        String uri,
        Map<String, List<String>> headers,
        byte[] rawBody,
        String remote,
        Map<String, String> pathParams) {

    public static final String PROPERTY = "dlrWebhookRequest";

    public WebhookRequest {
        TreeMap<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseInsensitive.putAll(headers);
        headers = caseInsensitive;
        rawBody = rawBody == null ? new byte[0] : rawBody;
        pathParams = pathParams == null ? Map.of() : Map.copyOf(pathParams);
    }

    public WebhookRequest(String method, String uri, Map<String, List<String>> headers, byte[] rawBody, String remote) {
        this(method, uri, headers, rawBody, remote, Map.of());
    }

    /** The first value of a header, or null. Not for credentials: see {@link #singleHeader}. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The one value of a header that a security decision rests on, or null when absent. Sent twice
     * it is refused, not guessed: a check that read one copy while a later step read the other
     * would verify one value and act on another.
     *
     * @throws UnauthenticatedException when the header is given more than once
     */
    public String singleHeader(String name) {
        List<String> values = headers.get(name);
        if (values != null && values.size() > 1) {
            throw new UnauthenticatedException("the " + name + " header is given more than once");
        }
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    /** A parameter of the path template ({@code /webhooks/{provider}}), never a query parameter or header. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /**
     * The values of one query parameter, decoded, in order; empty when absent.
     *
     * @throws IllegalArgumentException when the query string is not valid URL encoding
     */
    public List<String> queryValues(String name) {
        List<String> values =
                new QueryStringDecoder(rawQuery(), false).parameters().get(name);
        return values == null ? List.of() : values;
    }

    public String rawQuery() {
        int question = uri.indexOf('?');
        return question < 0 ? "" : uri.substring(question + 1);
    }

    public String contentType() {
        String value = header("Content-Type");
        return value == null ? "" : value.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }
}
