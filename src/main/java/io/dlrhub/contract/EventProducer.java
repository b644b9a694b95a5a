package io.dlrhub.contract;

import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.EventFactory;
import io.dlrhub.event.EventMapping;
import io.dlrhub.event.InvalidEventException;
import io.dlrhub.event.RequestEvents;
import io.dlrhub.event.WebhookVariables;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

/**
 * Builds the canonical event from the webhook fields in the body and adds it to the request's
 * events ({@link RequestEvents}), which webhook-ingress commits, all in one transaction, when the
 * adapter route has finished. The body becomes the canonical event. Nothing here waits for the
 * database: a request with 1,000 reports makes 1,000 events and waits for one commit.
 */
class EventProducer extends DefaultProducer {

    private final EventFactory events;
    private final EventMapping mapping;
    private final String channelVariable;
    private final String dedupVariable;

    EventProducer(
            EventEndpoint endpoint,
            EventFactory events,
            EventMapping mapping,
            String channelVariable,
            String dedupVariable) {
        super(endpoint);
        this.events = events;
        this.mapping = mapping;
        this.channelVariable = channelVariable;
        this.dedupVariable = dedupVariable;
    }

    @Override
    public void process(Exchange exchange) {
        RequestEvents request = exchange.getProperty(RequestEvents.PROPERTY, RequestEvents.class);
        if (request == null) {
            throw new IllegalStateException("dlr:event runs only in a provider adapter that webhook-ingress called"
                    + " (direct:provider-<name>): nothing else commits the events it makes");
        }
        CanonicalEvent event = canonicalize(exchange);
        request.add(event);
        exchange.getMessage().setBody(event);
    }

    private CanonicalEvent canonicalize(Exchange exchange) {
        Map<String, ?> fields = fields(exchange.getMessage().getBody());
        EventMapping effective = mapping;
        if (channelVariable != null) {
            String channel = exchange.getVariable(channelVariable, String.class);
            if (channel == null || channel.isBlank()) {
                throw new IllegalStateException("The adapter did not set the variable " + channelVariable
                        + " that dlr:event reads the channel from");
            }
            effective = mapping.withChannel(channel);
        }
        String dedupKey = null;
        if (dedupVariable != null) {
            dedupKey = exchange.getVariable(dedupVariable, String.class);
            if (dedupKey == null) {
                // dedupBy=webhookId on a request that came without a verified webhook-id header
                throw InvalidEventException.missing("webhook-id");
            }
        }
        return events.create(
                exchange.getVariable(WebhookVariables.PROVIDER, String.class), fields, effective, dedupKey);
    }

    private static Map<String, ?> fields(Object body) {
        if (body == null) {
            return Map.of();
        }
        if (body instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked")
            Map<String, ?> webhookFields = (Map<String, ?>) map;
            return webhookFields;
        }
        throw new InvalidEventException("invalid_body", "the body is not a set of fields");
    }
}
