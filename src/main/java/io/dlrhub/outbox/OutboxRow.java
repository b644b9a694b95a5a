package io.dlrhub.outbox;

import java.util.UUID;

/** A claimed delivery: the sink, the event's canonical JSON and how often it was tried before. */
public record OutboxRow(long id, UUID eventId, String sink, int attempts, String note, String payload) {
}
