package io.dlrhub.event;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.dlrhub.Settings;
import io.dlrhub.store.GroupCommit;
import io.dlrhub.store.StoreResult;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:accept-event}, where every provider adapter ends: builds the canonical event
 * from the fields the adapter names, then commits it through {@code direct:persist-event}.
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
    /**
     * Exchange property holding the list of {@link io.dlrhub.store.StoreResult}s of one request. A property,
     * not a variable, because a split (one request carrying many reports) shares it with its parts.
     */
    public static final String RESULTS = "dlrResults";

    @Override
    public void configure() {
        Settings settings = new Settings(getContext());
        StatusMappings mappings = new StatusMappings(Path.of(settings.get("mappings.dir", "routes/mappings")));
        EventFactory events = new EventFactory(mappings);
        GroupCommit store = getContext().getRegistry().lookupByNameAndType("groupCommit", GroupCommit.class);

        from("direct:accept-event")
                .routeId("accept-event")
                .process(exchange -> exchange.getMessage().setBody(canonicalize(exchange, events)))
                .to("direct:persist-event");

        from("direct:persist-event")
                .routeId("persist-event")
                .process(new PersistEvent(store));
    }

    /** The results of this request so far; webhook-ingress creates the list before calling the adapter. */
    @SuppressWarnings("unchecked")
    public static List<StoreResult> results(Exchange exchange) {
        List<StoreResult> results = exchange.getProperty(RESULTS, List.class);
        if (results == null) {
            results = new CopyOnWriteArrayList<>();
            exchange.setProperty(RESULTS, results);
        }
        return results;
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
