package io.dlrhub.outbox;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A claimed delivery: the sink, the event's canonical JSON and how often it was tried before.
 * {@code claim} is the row's claim_version when this instance claimed it: outcomes are recorded
 * only while the row is still at that version (see {@link OutboxStore}). {@code receivedAt}: when
 * its event was received (for the delivery latency), null if the event is gone.
 */
public record OutboxRow(
        long id,
        UUID eventId,
        String sink,
        int attempts,
        String note,
        String payload,
        long claim,
        OffsetDateTime receivedAt) {}
