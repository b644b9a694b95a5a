package io.dlrhub.store;

import java.sql.SQLException;

/**
 * A row the events need is held by another session (an uncommitted insert of the same webhook by
 * another instance, a DBA's lock) for longer than the lock timeout. The database is fine: the
 * other events of the transaction are stored again without it, and only its webhook gets 503.
 */
public class EventLockedException extends StoreUnavailableException {

    EventLockedException(SQLException cause) {
        super("a row this event needs is locked by another database session", cause);
    }
}
