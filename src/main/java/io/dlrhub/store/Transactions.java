package io.dlrhub.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * One short transaction on a pooled connection (the pool hands them out with auto-commit off):
 * committed when the work returns, rolled back when it throws. A database that cannot be reached
 * becomes {@link StoreUnavailableException}, which the callers answer with 503 or retry later.
 */
public final class Transactions {

    /** What runs inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private Transactions() {}

    /** @param what who is asking, the start of the exception's message ("Outbox", "Retention") */
    public static <T> T run(DataSource dataSource, String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException(what + ": " + e.getMessage(), e);
        }
    }
}
