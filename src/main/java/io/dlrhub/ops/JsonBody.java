package io.dlrhub.ops;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.http.ExactSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;

/**
 * The JSON object a state-changing operations API request carries, read from the exact body bytes
 * and strictly: {@code Content-Type: application/json} (a browser cannot send that across sites
 * without asking first), no key twice, no key the endpoint does not know.
 */
final class JsonBody {

    private static final ObjectMapper STRICT = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final ObjectNode object;
    private final String path;

    private JsonBody(ObjectNode object, String path) {
        this.object = object;
        this.path = path;
    }

    /** Thrown for a body that is not a JSON object of application/json: 415 or 400 (see {@link ManagementApi}). */
    static final class UnsupportedMediaTypeException extends RuntimeException {
        UnsupportedMediaTypeException(String message) {
            super(message);
        }
    }

    static JsonBody of(Exchange exchange, Set<String> accepted) {
        WebhookRequest request = ExactSource.request(exchange);
        if (!"application/json".equals(request.contentType())) {
            throw new UnsupportedMediaTypeException("the body must be JSON, sent with Content-Type: application/json");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(request.rawBody());
        } catch (IOException e) {
            throw new InvalidBodyException("the body is not valid JSON (or repeats a key)");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidBodyException("the body must be a JSON object");
        }
        return new JsonBody((ObjectNode) node, "").accepting(accepted);
    }

    /** A body that is not the JSON this endpoint takes: 400 invalid_body. */
    static final class InvalidBodyException extends IllegalArgumentException {
        InvalidBodyException(String message) {
            super(message);
        }
    }

    private JsonBody accepting(Set<String> accepted) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            if (!accepted.contains(name)) {
                throw new IllegalArgumentException(path + name + " is not a field of this request (it takes "
                        + String.join(", ", new TreeSet<>(accepted)) + ")");
            }
        }
        return this;
    }

    boolean has(String name) {
        return object.has(name) && !object.get(name).isNull();
    }

    /** A text field, or null when absent, null or empty. */
    String text(String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(path + name + " must be a string");
        }
        return value.asText().isEmpty() ? null : value.asText();
    }

    /** A nested object, checked like the body. */
    JsonBody object(String name, Set<String> accepted) {
        JsonNode value = object.get(name);
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException(path + name + " must be an object");
        }
        return new JsonBody((ObjectNode) value, path + name + ".").accepting(accepted);
    }

    /** A list of positive whole numbers, 1 to {@code max} of them, repeats dropped. */
    List<Long> ids(String name, int max) {
        JsonNode value = object.get(name);
        if (value == null || !value.isArray() || value.isEmpty() || value.size() > max) {
            throw new IllegalArgumentException(path + name + " must be a list of 1 to " + max + " delivery ids");
        }
        Set<Long> ids = new java.util.LinkedHashSet<>();
        for (JsonNode id : value) {
            if (!id.isIntegralNumber() || !id.canConvertToLong() || id.asLong() < 1) {
                throw new IllegalArgumentException(path + name + " must hold delivery ids (positive whole numbers)");
            }
            ids.add(id.asLong());
        }
        return List.copyOf(ids);
    }

    String name(String field) {
        return path + field;
    }
}
