package io.dlrhub.outbox;

import java.time.OffsetDateTime;
import java.util.UUID;

/** One delivery as the operations API lists it (snake_case JSON). */
public record OutboxEntry(
        long id,
        String sink,
        String state,
        UUID eventId,
        String provider,
        String messageId,
        String status,
        int attempts,
        String lastError,
        String note,
        OffsetDateTime nextAttemptAt,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {}
