package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sms.by's security advice asks for an event log: one line per request, whatever the outcome. */
class EventLogTest {

    @Test
    void everyRequestLeavesOneEventLogLine() {
        try (CapturedLog log = CapturedLog.attach();
                RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", "tok"))) {
            Reply accepted = hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=ev-1&status=SENT");
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=ev-1&status=SENT");
            hub.post("/webhooks/smsby?token=bad", FORM, "channel=SMS&message_id=ev-2&status=SENT");
            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&status=SENT");
            hub.post("/webhooks/smsby%0Afake=1", FORM, "x");

            List<String> events = log.linesContaining("dlrhub.events");
            assertThat(events).hasSize(5);
            assertThat(events.get(0))
                    .contains("provider=\"smsby\"")
                    .contains("result=\"accepted\"")
                    .contains("http_status=\"200\"")
                    .contains("event_id=\"" + accepted.field("event_id") + "\"")
                    .contains("remote=\"127.0.0.1\"");
            assertThat(events.get(1)).contains("result=\"duplicate\"");
            assertThat(events.get(2))
                    .contains("result=\"rejected\"")
                    .contains("reason=\"unauthorized\"")
                    .contains("http_status=\"401\"");
            assertThat(events.get(3)).contains("reason=\"missing_field\"").contains("http_status=\"400\"");
            assertThat(events.get(4)).contains("http_status=\"404\"").doesNotContain("\n");
        }
    }

    @Test
    void webhookRoutesRunOnTheEventLoopUnlessAdaptersMayBlock() {
        for (boolean blocking : List.of(false, true)) {
            try (CapturedLog log = CapturedLog.attach();
                    RunningHub hub = RunningHub.start(
                            TestDatabase.h2InMemory(),
                            Map.of("smsby.tokens", "tok", "http.blocking-adapters", String.valueOf(blocking)))) {
                Reply accepted = hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=th-1&status=SENT");
                assertThat(accepted.status()).as(accepted.toString()).isEqualTo(200);
                // the route's last step writes the event-log line, on the thread the route ran on
                assertThat(log.threadsOf("dlrhub.events"))
                        .singleElement()
                        .asString()
                        .startsWith(blocking ? "vert.x-worker-thread" : "vert.x-eventloop-thread");
            }
        }
    }
}
