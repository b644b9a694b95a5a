package io.dlrhub.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/**
 * One delivery status, whatever provider sent it: the JSON stored in delivery_event.payload and
 * sent to every sink. Field names are the public contract (see schema/canonical-event.schema.json).
 */
@JsonPropertyOrder({
    "event_id",
    "provider",
    "channel",
    "message_id",
    "status",
    "provider_status",
    "error_code",
    "occurred_at",
    "received_at",
    "attributes"
})
public record CanonicalEvent(
        UUID eventId,
        String provider,
        String channel,
        String messageId,
        CanonicalStatus status,
        String providerStatus,
        String errorCode,
        OffsetDateTime occurredAt,
        OffsetDateTime receivedAt,
        Map<String, String> attributes,
        @JsonIgnore String dedupKey) {}
