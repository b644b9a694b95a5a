package io.dlrhub.store;

import java.util.UUID;

/** What storing one event did: a new row, or a repeat of the event already stored under that id. */
public record StoreResult(UUID eventId, boolean duplicate) {}
