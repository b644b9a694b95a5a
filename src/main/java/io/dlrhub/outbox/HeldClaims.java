package io.dlrhub.outbox;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claimed rows this instance is delivering right now, and how long it surely holds them. The
 * dispatcher renews their lease every third of it ({@link #renew}), so a receiver slower than the
 * lease (a batch of slow calls, or one call longer than the lease) never lets another instance
 * take a row that is still being sent. The rule, once: a row is sent only while more than half of
 * its lease is left by this JVM's monotonic clock, counted from before the claim's transaction
 * began, and no renewal has found it taken over. So a row starts only if the next renewal is due
 * before its lease ends; a row that may not start is given back unsent. The database's clock
 * decides the lease itself (see {@link OutboxStore}); this one only measures elapsed time.
 */
final class HeldClaims {

    private static final Logger LOG = LoggerFactory.getLogger(HeldClaims.class);

    private final OutboxStore store;
    private final String claimant;
    private final Duration lease;
    /** By row and claim: a row given up in the hand-off queue and claimed again by a poll is two claims. */
    private final Map<Claim, Held> held = new ConcurrentHashMap<>();

    private record Claim(long id, long version) {

        static Claim of(OutboxRow row) {
            return new Claim(row.id(), row.claim());
        }
    }

    private static final class Held {
        final OutboxRow row;
        /** System.nanoTime() by which the lease surely has not run out. */
        volatile long until;

        volatile boolean lost;

        Held(OutboxRow row, long until) {
            this.row = row;
            this.until = until;
        }
    }

    HeldClaims(OutboxStore store, String claimant, Duration lease) {
        this.store = store;
        this.claimant = claimant;
        this.lease = lease;
    }

    /** Rows claimed at {@code claimedAt} (System.nanoTime() taken before the claim) that are about to be delivered. */
    void hold(List<OutboxRow> rows, long claimedAt) {
        long until = claimedAt + lease.toNanos();
        rows.forEach(row -> held.put(Claim.of(row), new Held(row, until)));
    }

    /** The rows' outcome is recorded (or they were given back): no more renewals. */
    void drop(List<OutboxRow> rows) {
        rows.forEach(row -> held.remove(Claim.of(row)));
    }

    boolean maySend(OutboxRow row) {
        Held claim = held.get(Claim.of(row));
        // subtraction, not comparison of nanoTime values: they may wrap
        return claim != null && !claim.lost && claim.until - System.nanoTime() > lease.toNanos() / 2;
    }

    /** Extends the lease of every held row; one that is no longer this instance's is marked lost and not sent. */
    void renew() {
        List<Held> claims = List.copyOf(held.values());
        if (claims.isEmpty()) {
            return;
        }
        long renewedAt = System.nanoTime();
        try {
            Set<Claim> still = new HashSet<>();
            store.renew(claims.stream().map(c -> c.row).toList(), claimant, lease)
                    .forEach(row -> still.add(Claim.of(row)));
            for (Held claim : claims) {
                if (still.contains(Claim.of(claim.row))) {
                    claim.until = renewedAt + lease.toNanos();
                } else {
                    claim.lost = true;
                }
            }
        } catch (RuntimeException e) {
            // the leases keep their old end; rows not yet sent will not be once half of it is gone
            LOG.warn("Could not renew the lease of {} outbox deliveries: {}", claims.size(), e.getMessage());
        }
    }
}
