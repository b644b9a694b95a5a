package io.dlrhub.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.http.ClosedConnections.Reason;
import io.dlrhub.support.CapturedLog;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Thousands of connections closed for a client's doing make one log line per window, not thousands. */
class ClosedConnectionsTest {

    @Test
    void aFloodOfClosedConnectionsIsOneWarnLinePerWindowNamingTheMainAddress() {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        ClosedConnections closed = new ClosedConnections("webhooks", metrics);
        try (CapturedLog log = CapturedLog.attach()) {
            for (int i = 0; i < 5_000; i++) {
                closed.closed(Reason.OVER_ADDRESS_CAP, "198.51.100.9");
            }
            closed.closed(Reason.READ_TIMEOUT, "203.0.113.7");
            closed.closed(Reason.IDLE, "203.0.113.8");
            assertThat(log.linesContaining("listener closed"))
                    .as("nothing before the window ends")
                    .isEmpty();

            closed.flush();
            closed.flush();

            assertThat(log.linesContaining("listener closed"))
                    .singleElement()
                    .asString()
                    .contains("The webhooks listener closed 5001 connection(s)")
                    .contains("5000 over HTTP_MAX_CONNECTIONS_PER_ADDRESS")
                    .contains("1 without a complete request")
                    .contains("most from 198.51.100.9 (5000)");
        }
        assertThat(metrics.counter("dlrhub.connections.closed", "listener", "webhooks", "reason", "over_address_cap")
                        .count())
                .isEqualTo(5_000);
        assertThat(metrics.counter("dlrhub.connections.closed", "listener", "webhooks", "reason", "idle")
                        .count())
                .as("idle closes are counted, not logged")
                .isEqualTo(1);
    }
}
