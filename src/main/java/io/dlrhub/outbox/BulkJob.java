package io.dlrhub.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;

/**
 * A bulk replay or backfill as the operations API shows it (snake_case JSON). {@code replayed}:
 * deliveries put back in the queue (replay) or added (backfill); {@code skipped}: deliveries no
 * longer dead when the job reached them, or events that already had a delivery to the sink.
 */
public record BulkJob(
        long id,
        String kind,
        String state,
        long matched,
        long replayed,
        long skipped,
        String requestedBy,
        String cancelledBy,
        int ratePerSecond,
        JsonNode request,
        OffsetDateTime createdAt,
        OffsetDateTime updatedAt,
        OffsetDateTime finishedAt) {}
