package io.dlrhub.contract;

import io.dlrhub.event.EventMapping;
import io.dlrhub.event.WebhookVariables;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code dlr:event}: where every provider adapter ends. Its parameters say which webhook field
 * feeds which canonical field; the producer builds the canonical event and adds it to the request's
 * events, which are committed together when the adapter has finished. A mapping
 * that cannot work (no message id, two channels, a broken mapping file) fails here, when the route
 * is created, not at the first webhook.
 */
public class EventEndpoint extends DefaultEndpoint implements CheckedEndpoint {

    private String channel;
    private String fixedChannel;
    private String channelVariable;
    private String messageId;
    private String status;
    private String errorCode;
    private String noErrorCodes;
    private String occurredAt;
    private String timeFormat;
    private String mapping;
    private String dedupBy = "status";

    EventEndpoint(String uri, Component component) {
        super(uri, component);
    }

    private EventMapping eventMapping;

    /** A mapping that cannot work stops the route here, before any webhook. */
    @Override
    public void check() {
        int channelSources =
                (channel != null ? 1 : 0) + (fixedChannel != null ? 1 : 0) + (channelVariable != null ? 1 : 0);
        if (channelSources != 1) {
            throw new IllegalArgumentException("dlr:event needs exactly one of channel (a webhook field), fixedChannel"
                    + " (the same channel for every webhook) or channelVariable (a variable an earlier step set)");
        }
        require("messageId", messageId, "the webhook field that holds the provider's message id");
        require("status", status, "the webhook field that holds the provider's status word");
        require("mapping", mapping, "the status mapping file's name in routes/mappings, without .properties");
        if (!dedupBy.equals("status") && !dedupBy.equals("webhookId")) {
            throw new IllegalArgumentException("dedupBy is '" + dedupBy + "': use status (channel, message id and"
                    + " status word, the default) or webhookId (the signed webhook-id header)");
        }
        eventMapping = EventMapping.builder()
                .field("channel", channel)
                // a variable's channel is known per webhook: a placeholder the producer replaces
                .constant("channel", fixedChannel != null ? fixedChannel : channelVariable != null ? "?" : null)
                .field("message_id", messageId)
                .field("provider_status", status)
                .field("error_code", errorCode)
                .field("occurred_at", occurredAt)
                .noErrorCodes(list(noErrorCodes))
                .statusMapping(mapping)
                .timeFormat(timeFormat)
                .build();
        if (noErrorCodes != null && errorCode == null) {
            throw new IllegalArgumentException("noErrorCodes is given without errorCode");
        }
        ((DlrComponent) getComponent()).statusMappings().check(mapping);
    }

    @Override
    public Producer createProducer() {
        return new EventProducer(
                this,
                ((DlrComponent) getComponent()).events(),
                eventMapping,
                channelVariable,
                dedupBy.equals("webhookId") ? WebhookVariables.WEBHOOK_ID : null);
    }

    private static void require(String parameter, String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("dlr:event needs " + parameter + ": " + what);
        }
    }

    private static Set<String> list(String values) {
        return values == null
                ? Set.of()
                : Arrays.stream(values.split(","))
                        .map(String::trim)
                        .filter(v -> !v.isEmpty())
                        .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("dlr:event can only be sent to");
    }

    /** The webhook field (dotted path into nested JSON: data.channel) that holds the channel. */
    public void setChannel(String channel) {
        this.channel = channel;
    }

    /** The channel of every webhook, for providers that send none (SMS-only gateways). */
    public void setFixedChannel(String fixedChannel) {
        this.fixedChannel = fixedChannel;
    }

    /** A variable an earlier step set to the channel, when the adapter works it out (Twilio: from the address). */
    public void setChannelVariable(String channelVariable) {
        this.channelVariable = channelVariable;
    }

    public void setMessageId(String messageId) {
        this.messageId = messageId;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public void setErrorCode(String errorCode) {
        this.errorCode = errorCode;
    }

    /** Comma-separated values of the errorCode field that mean "no error" (Vonage: 0). */
    public void setNoErrorCodes(String noErrorCodes) {
        this.noErrorCodes = noErrorCodes;
    }

    public void setOccurredAt(String occurredAt) {
        this.occurredAt = occurredAt;
    }

    /** A java.time pattern for occurredAt (UTC unless it has an offset); ISO-8601 when not given. */
    public void setTimeFormat(String timeFormat) {
        this.timeFormat = timeFormat;
    }

    public void setMapping(String mapping) {
        this.mapping = mapping;
    }

    public void setDedupBy(String dedupBy) {
        this.dedupBy = dedupBy;
    }
}
