package io.dlrhub.contract;

import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.EventFactory;
import io.dlrhub.event.EventMapping;
import io.dlrhub.event.InvalidEventException;
import io.dlrhub.event.WebhookVariables;
import java.util.Map;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Builds the canonical event from the webhook fields in the body and commits it through
 * {@code direct:persist-event}; the exchange then carries the store's result like any step's.
 */
class EventProducer extends DefaultAsyncProducer {

    private final EventFactory events;
    private final EventMapping mapping;
    private final String channelVariable;
    private final String dedupVariable;
    private AsyncProducer persist;

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
    protected void doStart() throws Exception {
        super.doStart();
        persist = getEndpoint()
                .getCamelContext()
                .getEndpoint("direct:persist-event")
                .createAsyncProducer();
        ServiceHelper.startService(persist);
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(persist);
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        try {
            exchange.getMessage().setBody(canonicalize(exchange));
        } catch (RuntimeException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        return persist.process(exchange, callback);
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
