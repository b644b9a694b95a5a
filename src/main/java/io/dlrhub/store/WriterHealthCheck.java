package io.dlrhub.store;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The group-commit writer makes progress. Readiness: DOWN while one transaction has run longer
 * than the commit timeout (every webhook is being answered 503 meanwhile: a held lock, a
 * database that stopped answering), UP again by itself when it ends. Liveness: DOWN when a writer
 * thread has died, which only a restart mends.
 */
public class WriterHealthCheck extends AbstractHealthCheck {

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
        if (waitedMs > groupCommit.commitTimeout().toMillis()) {
            builder.down().message("one database transaction has been running for " + waitedMs
                    + " ms (commit timeout " + groupCommit.commitTimeout().toMillis() + " ms): webhooks get 503");
        } else {
            builder.up();
        }
    }
}
