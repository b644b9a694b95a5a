package io.dlrhub.ingress;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import io.dlrhub.auth.TokenScheme;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.event.EventJson;
import io.dlrhub.event.InvalidEventException;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * The first step of every adapter: the request must be of the one form the provider sends, and
 * leaves as a map of its fields. {@code direct:require-form} (POST, form-urlencoded),
 * {@code direct:require-json} (POST, a JSON object), {@code direct:require-query} (GET, query
 * parameters).
 */
final class RequestGuards {

    static final String FORM = "application/x-www-form-urlencoded";
    static final String JSON = "application/json";
    /** The one method each guard takes, for the Allow header of a 405 (see {@link AllowedMethods}). */
    static final Map<String, String> METHOD_OF_GUARD =
            Map.of("direct://require-form", "POST", "direct://require-json", "POST", "direct://require-query", "GET");

    private static final ObjectReader JSON_OBJECT = EventJson.MAPPER
            .readerFor(LinkedHashMap.class)
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RequestGuards() {}

    /**
     * The fields are decoded here from the raw bytes, the very bytes a signature covers, not taken
     * from platform-http's form map (its decoder stops silently at the first raw line break).
     */
    static void requireForm(Exchange exchange) {
        WebhookRequest request = request(exchange, "POST");
        requireContentType(request, FORM);
        StrictUtf8.requireForm(request.rawBody());
        String body = new String(request.rawBody(), StandardCharsets.UTF_8);
        if (body.indexOf('\r') >= 0 || body.indexOf('\n') >= 0) {
            throw new InvalidEventException(
                    "invalid_body", "the form contains a raw line break; values must be URL-encoded");
        }
        exchange.getMessage().setBody(fields(body, false));
    }

    private static Map<String, Object> fields(String encoded, boolean withoutToken) {
        Map<String, Object> fields = new LinkedHashMap<>();
        try {
            new QueryStringDecoder(encoded, StandardCharsets.UTF_8, false, 10_000)
                    .parameters()
                    .forEach((name, values) -> {
                        if (!(withoutToken && TokenScheme.PARAMETER.equals(name))) {
                            fields.put(name, values.size() == 1 ? values.get(0) : List.copyOf(values));
                        }
                    });
        } catch (IllegalArgumentException malformed) {
            throw new InvalidEventException("invalid_body", "the fields are not valid URL encoding");
        }
        return fields;
    }

    static void requireJson(Exchange exchange) {
        WebhookRequest request = request(exchange, "POST");
        requireContentType(request, JSON);
        StrictUtf8.requireJson(request.rawBody());
        try {
            exchange.getMessage().setBody(JSON_OBJECT.readValue(request.rawBody()));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(
                    "invalid_body",
                    "the body is not a JSON object"
                            + (e.getOriginalMessage() != null
                                            && e.getOriginalMessage().startsWith("Duplicate field")
                                    ? ": a field is given twice"
                                    : ""));
        } catch (IOException e) {
            throw new InvalidEventException("invalid_body", "the body could not be read as JSON");
        }
    }

    static void requireQuery(Exchange exchange) {
        WebhookRequest request = request(exchange, "GET");
        String query = request.rawQuery();
        // the request target as Vert.x read it: one char per byte when it is not ASCII
        boolean oneCharPerByte = query.chars().allMatch(c -> c <= 0xff);
        StrictUtf8.requireForm(query.getBytes(oneCharPerByte ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
        exchange.getMessage().setBody(fields(query, true));
    }

    private static WebhookRequest request(Exchange exchange, String method) {
        WebhookRequest request = exchange.getProperty(WebhookRequest.PROPERTY, WebhookRequest.class);
        if (!method.equals(request.method())) {
            throw new WebhookRejection(
                    405, "method_not_allowed", "this provider's webhooks are sent with " + method, List.of(method));
        }
        return request;
    }

    private static void requireContentType(WebhookRequest request, String mediaType) {
        String actual = request.contentType();
        if (!actual.equals(mediaType)) {
            throw new WebhookRejection(
                    415,
                    "unsupported_media_type",
                    "this provider sends " + mediaType
                            + (actual.isEmpty() ? "; the request has no Content-Type" : "; got " + clip(actual)));
        }
    }

    private static String clip(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
    }
}
