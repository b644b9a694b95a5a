package io.dlrhub.outbox;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Lets a new delivery skip the database round trip of being claimed: it is written already
 * claimed by this instance, and handed over in memory once its transaction has committed. The
 * lease still protects it: should this instance die first, the lease runs out and any instance's
 * poll takes it.
 */
public interface ClaimHandoff {

    String claimant();

    Duration lease();

    /** How many more deliveries of this sink may be handed over now; the rest wait for a poll. */
    int room(String sink);

    /** The committed, claimed deliveries (attempts 0, no note), with the end of their lease. */
    void handOff(List<OutboxRow> rows, OffsetDateTime leaseUntil);
}
