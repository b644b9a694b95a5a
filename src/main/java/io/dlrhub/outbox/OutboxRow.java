package io.dlrhub.outbox;

import java.util.UUID;

/**
 * A claimed delivery: the sink, the event's canonical JSON and how often it was tried before.
 * {@code claim} is the row's claim_version when this instance claimed it: outcomes are recorded
 * only while the row is still at that version (see {@link OutboxStore}).
 */
public record OutboxRow(long id, UUID eventId, String sink, int attempts, String note, String payload, long claim) {
}
