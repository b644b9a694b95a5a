package io.dlrhub.ops;

import io.dlrhub.http.ExactSource;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.camel.Exchange;

/**
 * The query string of an operations API request, read from the request as sent (never from the
 * Camel headers, where headers and path parameters mix in) and strictly: a parameter the endpoint
 * does not take is refused rather than ignored (a mistyped filter would otherwise widen a search,
 * or a replay, to everything), and so is one given twice. An empty value is an absent one, so a
 * form that submits its empty fields asks for what it shows.
 */
final class ApiQuery {

    private final Map<String, List<String>> parameters;

    private ApiQuery(Map<String, List<String>> parameters) {
        this.parameters = parameters;
    }

    /** @throws IllegalArgumentException naming a parameter that is not in {@code accepted}, or given twice */
    static ApiQuery of(Exchange exchange, Set<String> accepted) {
        Map<String, List<String>> parameters;
        try {
            parameters = new QueryStringDecoder(ExactSource.request(exchange).rawQuery(), false).parameters();
        } catch (IllegalArgumentException malformed) {
            throw new IllegalArgumentException("the query string is not valid URL encoding");
        }
        parameters.forEach((name, values) -> {
            if (!accepted.contains(name)) {
                throw new IllegalArgumentException(name + " is not a parameter of this endpoint (it takes "
                        + String.join(", ", new TreeSet<>(accepted)) + ")");
            }
            if (values.size() > 1) {
                throw new IllegalArgumentException(name + " is given more than once");
            }
        });
        return new ApiQuery(parameters);
    }

    /** The value, or null when absent or empty. */
    String get(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
