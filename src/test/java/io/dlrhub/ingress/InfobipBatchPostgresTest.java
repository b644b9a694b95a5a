package io.dlrhub.ingress;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.sql.SQLException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.extension.RegisterExtension;

class InfobipBatchPostgresTest extends InfobipBatchContract {

    @AutoClose
    static final Receiver crm = Receiver.start((key, body) -> Receiver.Reply.ok());

    @RegisterExtension
    static final HubExtension shared = hubOn(TestDatabase::postgres, crm);

    @Override
    HubExtension shared() {
        return shared;
    }

    @Override
    Receiver crm() {
        return crm;
    }

    /** xmin: the id of the transaction that inserted the row; one commit, one id. */
    @Override
    Long transactionsOf(String batch) {
        return Sql.count(
                database,
                "SELECT COUNT(DISTINCT xmin::text) FROM delivery_event WHERE message_id LIKE ?",
                batch + "-%");
    }

    @Override
    void failOnInsertOf(String messageId) throws SQLException {
        // 53100 disk_full: what a full disk answers the insert of that one row
        execute("CREATE FUNCTION fail_report() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " IF NEW.message_id = '" + messageId + "' THEN"
                + " RAISE EXCEPTION 'could not extend file (test)' USING ERRCODE = '53100'; END IF;"
                + " RETURN NEW; END $$");
        execute("CREATE TRIGGER fail_report BEFORE INSERT ON delivery_event"
                + " FOR EACH ROW EXECUTE FUNCTION fail_report()");
    }

    @Override
    void stopFailing() throws SQLException {
        execute("DROP TRIGGER fail_report ON delivery_event");
        execute("DROP FUNCTION fail_report()");
    }
}
