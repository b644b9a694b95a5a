package io.dlrhub.store;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away under dlr-hub: webhooks get 503 (the provider retries), never 200 and
 * never 500; when the database is back, webhooks are accepted again without a restart.
 */
class DatabaseOutageTest {

    @Test
    void webhooksGet503WhileTheDatabaseIsUnreachableAndAreAcceptedWhenItIsBack() throws Exception {
        TestDatabase real = TestDatabase.postgres();
        try (TcpProxy proxy = real.proxy()) {
            TestDatabase database = real.through(proxy);
            try (RunningHub hub =
                    RunningHub.start(database, Map.of("smsby.tokens", "tok", "db.connect-timeout-ms", "1000"))) {
                assertThat(post(hub, "out-1").status()).isEqualTo(200);

                proxy.cut();
                for (String id : new String[] {"out-2", "out-3"}) {
                    Reply reply = post(hub, id);
                    assertThat(reply.status()).as(reply.toString()).isEqualTo(503);
                    assertThat(reply.field("error")).isEqualTo("unavailable");
                    assertThat(reply.raw().headers().firstValue("Retry-After")).isPresent();
                }

                proxy.start();
                Reply recovered = post(hub, "out-4");
                assertThat(recovered.status()).as(recovered.toString()).isEqualTo(200);
            }
            assertThat(Sql.rows(real, "SELECT message_id FROM delivery_event ORDER BY message_id"))
                    .extracting(r -> r.get("message_id"))
                    .containsExactly("out-1", "out-4");
        }
    }

    private static Reply post(RunningHub hub, String messageId) {
        return hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=" + messageId + "&status=SENT");
    }
}
