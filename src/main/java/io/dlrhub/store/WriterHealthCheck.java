package io.dlrhub.store;

import java.time.Duration;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The group-commit writer makes progress. Readiness: DOWN while one transaction has run longer
 * than the commit timeout (every webhook is being answered 503 meanwhile: a held lock, a
 * database that stopped answering), UP again by itself when it ends; UP with a message naming
 * recent webhooks refused for a row another session held. Liveness: DOWN when a writer
 * thread has died, which only a restart mends.
 */
public class WriterHealthCheck extends AbstractHealthCheck {

    /** How long a refusal for a locked row stays in the readiness answer. */
    private static final Duration RECENT = Duration.ofMinutes(5);

    private final GroupCommit groupCommit;
    private final boolean liveness;

    private WriterHealthCheck(GroupCommit groupCommit, boolean liveness) {
        super("dlrhub", liveness ? "database-writer-alive" : "database-writer");
        this.groupCommit = groupCommit;
        this.liveness = liveness;
    }

    public static WriterHealthCheck readiness(GroupCommit groupCommit) {
        return new WriterHealthCheck(groupCommit, false);
    }

    public static WriterHealthCheck liveness(GroupCommit groupCommit) {
        return new WriterHealthCheck(groupCommit, true);
    }

    @Override
    public boolean isLiveness() {
        return liveness;
    }

    @Override
    public boolean isReadiness() {
        return !liveness;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (liveness) {
            long dead = groupCommit.deadWriters();
            if (dead > 0) {
                builder.down().message(dead + " database writer thread(s) ended; restart the service");
            } else {
                builder.up();
            }
            return;
        }
        long waitedMs = groupCommit.longestTransaction().toMillis();
        Duration sinceLocked = groupCommit.sinceLastLockedRow();
        if (waitedMs > groupCommit.commitTimeout().toMillis()) {
            builder.down()
                    .message("one database transaction has been running for " + waitedMs + " ms (commit timeout "
                            + groupCommit.commitTimeout().toMillis() + " ms): webhooks get 503");
        } else if (sinceLocked != null && sinceLocked.compareTo(RECENT) < 0) {
            // still ready (only the webhooks needing the locked row wait), but said where an operator looks
            builder.up()
                    .message(groupCommit.lockedRows() + " webhook(s) since start got 503 because another database"
                            + " session held a row they needed, the last " + sinceLocked.toSeconds()
                            + " s ago: look for a"
                            + " long-open transaction (pg_stat_activity, pg_locks)");
        } else {
            builder.up();
        }
    }
}
