package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A request the public listener refuses before any route ran (here a 404) is counted by the hub
 * that refused it: the refusal counter was once a static field set by whichever hub started last.
 */
class RefusalsPerHubTest {

    private static final String NOT_FOUND =
            "dlrhub_webhooks_total{application=\"dlr-hub\",provider=\"-\",reason=\"not_found\",result=\"rejected\"}";

    @Test
    void aRefusalIsCountedByTheHubThatRefusedItNotByTheLastStarted() {
        try (RunningHub first = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", "tok"));
                RunningHub last = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", "tok"))) {
            Reply refused = first.send(
                    HttpRequest.newBuilder(first.uri("/no-such-path")).GET().build());
            assertThat(refused.status()).isEqualTo(404);
            assertThat(refused.field("message")).isEqualTo("no such endpoint: webhooks are POST /webhooks/{provider}");

            assertThat(metrics(first)).contains(NOT_FOUND + " 1.0");
            assertThat(metrics(last)).doesNotContain(NOT_FOUND);
        }
    }

    private static String metrics(RunningHub hub) {
        Reply reply = hub.send(HttpRequest.newBuilder(hub.managementUri("/observe/metrics"))
                .GET()
                .build());
        assertThat(reply.status()).isEqualTo(200);
        return reply.body();
    }
}
