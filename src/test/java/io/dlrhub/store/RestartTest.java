package io.dlrhub.store;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: an H2 file database that outlives the process. */
class RestartTest {

    @TempDir
    Path dataDirectory;

    @Test
    void eventsStoredBeforeARestartAreStillThereAfterIt() {
        TestDatabase database = TestDatabase.h2File(dataDirectory);
        Map<String, String> settings = Map.of("smsby.tokens", "tok");
        String firstId;
        try (RunningHub hub = RunningHub.start(database, settings)) {
            Reply reply = hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=keep-1&status=DELIVERED");
            assertThat(reply.status()).isEqualTo(200);
            firstId = reply.field("event_id");
        }
        try (RunningHub hub = RunningHub.start(database, settings)) {
            Reply again = hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=keep-1&status=DELIVERED");
            assertThat(again.field("status")).isEqualTo("duplicate");
            assertThat(again.field("event_id")).isEqualTo(firstId);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'keep-1'"))
                    .isEqualTo(1);
            assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'keep-1'"))
                    .extracting(r -> r.get("status"))
                    .containsExactly("DELIVERED");
        }
    }
}
