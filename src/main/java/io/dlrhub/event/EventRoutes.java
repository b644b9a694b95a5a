package io.dlrhub.event;

import java.nio.file.Path;
import java.util.Map;

import io.dlrhub.Settings;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:accept-event}, where every provider adapter ends: builds the canonical event
 * from the fields the adapter names, then commits it through {@code direct:persist-event} (store/StoreRoutes).
 * <p>
 * The adapter sets these variables: {@code dlrFields} (required: channel, message_id,
 * provider_status), {@code dlrOptionalFields} (error_code, occurred_at), and optionally
 * {@code dlrDedupKey}, {@code dlrStatusMapping} and {@code dlrTimeFormat}. The message body is the
 * webhook's fields as a map; a field inside a nested object is named by its dotted path ({@code status.name}).
 */
public class EventRoutes extends RouteBuilder {

    public static final String FIELDS = "dlrFields";
    public static final String OPTIONAL_FIELDS = "dlrOptionalFields";
    public static final String DEDUP_KEY = "dlrDedupKey";
    public static final String STATUS_MAPPING = "dlrStatusMapping";
    public static final String TIME_FORMAT = "dlrTimeFormat";
    public static final String PROVIDER = "dlrProvider";

    @Override
    public void configure() {
        Settings settings = new Settings(getContext());
        StatusMappings mappings = new StatusMappings(Path.of(settings.get("mappings.dir", "routes/mappings")));
        EventFactory events = new EventFactory(mappings);

        from("direct:accept-event")
                .routeId("accept-event")
                .process(exchange -> exchange.getMessage().setBody(canonicalize(exchange, events)))
                .to("direct:persist-event");
    }

    private static CanonicalEvent canonicalize(Exchange exchange, EventFactory events) {
        Object body = exchange.getMessage().getBody();
        Map<String, ?> fields;
        if (body == null) {
            fields = Map.of();
        } else if (body instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, ?> webhookFields = (Map<String, ?>) map;
            fields = webhookFields;
        } else {
            throw new InvalidEventException("invalid_body", "the body is not a set of fields");
        }
        return events.create(
                exchange.getVariable(PROVIDER, String.class),
                fields,
                exchange.getVariable(FIELDS, String.class),
                exchange.getVariable(OPTIONAL_FIELDS, String.class),
                exchange.getVariable(STATUS_MAPPING, String.class),
                exchange.getVariable(DEDUP_KEY, String.class),
                exchange.getVariable(TIME_FORMAT, String.class));
    }
}
