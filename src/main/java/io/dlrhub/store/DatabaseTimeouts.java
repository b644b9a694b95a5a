package io.dlrhub.store;

import com.zaxxer.hikari.HikariConfig;
import java.util.Locale;

/**
 * Every wait on the database ends. Without these, one silent network partition (the peer gone
 * without a reset) left the writer blocked on a socket read for good, and one uncommitted insert
 * of another session (a held lock) stopped every webhook behind it.
 *
 * @param statementMs longest a statement may run on the server
 * @param lockMs      longest a statement waits for a row another session holds; the webhook that
 *                    needs that row gets 503 and is retried by its provider, the others go on
 * @param socketMs    longest the driver waits for any answer; above the commit timeout, so a caller
 *                    is answered 503 first and the stuck connection is then dropped and replaced
 */
record DatabaseTimeouts(long statementMs, long lockMs, long socketMs) {

    DatabaseTimeouts {
        if (socketMs > 0 && statementMs > 0 && socketMs <= statementMs) {
            throw new IllegalStateException(
                    "DB_SOCKET_TIMEOUT_MS (" + socketMs + ") must be above DB_STATEMENT_TIMEOUT_MS (" + statementMs
                            + "): the server ends a long statement itself, the socket timeout is for a silent network");
        }
    }

    /** Server-side limits and the client's read timeout, as PostgreSQL's driver takes them; a value in DB_URL wins. */
    void applyTo(HikariConfig config) {
        if (!config.getJdbcUrl().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
            // embedded H2: one process, no network to lose; its own lock timeout applies
            return;
        }
        // sent at connection start-up, outside any transaction, so a rollback cannot undo them
        config.addDataSourceProperty("options", "-c statement_timeout=" + statementMs + " -c lock_timeout=" + lockMs);
        // the driver takes whole seconds; rounded up, since 0 would mean no timeout at all
        config.addDataSourceProperty("socketTimeout", String.valueOf(socketMs <= 0 ? 0 : (socketMs + 999) / 1000));
        // a peer that vanished is noticed on idle pooled connections too
        config.addDataSourceProperty("tcpKeepAlive", "true");
    }
}
