package io.dlrhub.outbox;

import java.time.Duration;
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

    /**
     * The committed, claimed deliveries (attempts 0, no note). {@code claimedAt} is
     * {@link System#nanoTime()} taken just before they were written. The database counts their
     * lease from its transaction's start, so it ends at {@code claimedAt} + lease less the time the
     * transaction had already run (milliseconds: a group commit writes the outbox right after the events).
     */
    void handOff(List<OutboxRow> rows, long claimedAt);
}
