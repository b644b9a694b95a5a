package io.dlrhub.auth;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What authentication may look at, captured from the HTTP request itself (not from Camel
 * headers, where form fields and query parameters mix with real headers).
 *
 * @param uri        the request target as sent: path plus query, percent-encoded
 * @param headers    real HTTP headers, names case-insensitive
 * @param rawBody    the body bytes exactly as received (signatures are computed over these)
 * @param remote     the address of the TCP peer
 */
public record WebhookRequest(String method, String uri, Map<String, List<String>> headers, byte[] rawBody,
                             String remote) {

    public static final String PROPERTY = "dlrWebhookRequest";

    public WebhookRequest {
        TreeMap<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        caseInsensitive.putAll(headers);
        headers = caseInsensitive;
        rawBody = rawBody == null ? new byte[0] : rawBody;
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
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
