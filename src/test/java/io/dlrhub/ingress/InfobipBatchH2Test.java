package io.dlrhub.ingress;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.h2.api.Trigger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.extension.RegisterExtension;

class InfobipBatchH2Test extends InfobipBatchContract {

    @AutoClose
    static final Receiver crm = Receiver.start((key, body) -> Receiver.Reply.ok());

    @RegisterExtension
    static final HubExtension shared = hubOn(TestDatabase::h2InMemory, crm);

    @Override
    HubExtension shared() {
        return shared;
    }

    @Override
    Receiver crm() {
        return crm;
    }

    /** H2 keeps no trace of the transaction that wrote a row; the failure halfway shows it instead. */
    @Override
    Long transactionsOf(String batch) {
        return null;
    }

    @Override
    void failOnInsertOf(String messageId) throws SQLException {
        FailingInsert.messageId = messageId;
        execute("CREATE TRIGGER fail_report BEFORE INSERT ON delivery_event FOR EACH ROW CALL \""
                + FailingInsert.class.getName() + "\"");
    }

    @Override
    void stopFailing() throws SQLException {
        execute("DROP TRIGGER fail_report");
    }

    /** Fails the insert of one message's event, as a full disk would (SQL state 53100). */
    public static final class FailingInsert implements Trigger {

        static volatile String messageId;

        @Override
        public void fire(Connection connection, Object[] oldRow, Object[] newRow) throws SQLException {
            if (newRow != null && Arrays.asList(newRow).contains(messageId)) {
                throw new SQLException("could not extend file (test)", "53100");
            }
        }
    }
}
