package io.dlrhub.http;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Abuse: per-source rate limit, a cap on requests in progress, and slow bodies cut off. */
class TrafficGuardTest {

    @Test
    void overTheRateLimitASourceGets429WithRetryAfterAndLaterIsServedAgain() {
        TestDatabase database = TestDatabase.h2InMemory();
        try (RunningHub hub = RunningHub.start(database, Map.of("smsby.tokens", "tok", "rate-limit-per-second", "5"))) {
            List<Reply> replies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                replies.add(
                        hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=rl-" + i + "&status=SENT"));
            }
            List<Reply> limited =
                    replies.stream().filter(r -> r.status() == 429).toList();
            assertThat(limited).isNotEmpty();
            assertThat(limited.get(0).field("error")).isEqualTo("rate_limited");
            assertThat(limited.get(0).raw().headers().firstValue("Retry-After")).hasValue("1");
            long accepted = replies.stream().filter(r -> r.status() == 200).count();
            assertThat(accepted + limited.size()).isEqualTo(20);
            assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event"))
                    .isEqualTo(accepted);

            await().pollDelay(Duration.ofMillis(1100))
                    .atMost(Duration.ofSeconds(5))
                    .until(() ->
                            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=rl-late&status=SENT")
                                            .status()
                                    == 200);
        }
    }

    @Test
    void requestsBeyondTheConcurrencyCapGet503AndASlowBodyIsCutWith408() throws Exception {
        try (RunningHub hub = RunningHub.start(
                TestDatabase.h2InMemory(),
                Map.of("smsby.tokens", "tok", "max-concurrent-requests", "1", "request-timeout-ms", "1500"))) {
            String body = "channel=SMS&message_id=slow-1&status=SENT";
            try (Socket slow = new Socket("127.0.0.1", hub.port())) {
                slow.setSoTimeout(10_000);
                OutputStream out = slow.getOutputStream();
                out.write(("POST /webhooks/smsby?token=tok HTTP/1.1\r\nHost: x\r\nContent-Type: " + FORM
                                + "\r\nContent-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 10))
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    Reply busy =
                            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=busy-1&status=SENT");
                    assertThat(busy.status()).isEqualTo(503);
                    assertThat(busy.field("error")).isEqualTo("overloaded");
                });

                String answer = read(slow.getInputStream());
                assertThat(answer).startsWith("HTTP/1.1 408").contains("request_timeout");
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            hub.post("/webhooks/smsby?token=tok", FORM, "channel=SMS&message_id=after-1&status=SENT")
                                            .status()
                                    == 200);
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            answer.write(buffer, 0, n);
            if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
                break;
            }
        }
        return answer.toString(StandardCharsets.UTF_8);
    }
}
