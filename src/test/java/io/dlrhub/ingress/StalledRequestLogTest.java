package io.dlrhub.ingress;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Map;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: each stalled request cut off by REQUEST_TIMEOUT_MS logged an ERROR with a stack trace
 * ("Unhandled exception in router ... Connection was closed"), so a client could flood the error log.
 */
class StalledRequestLogTest {

    @Test
    void stalledRequestsAreCutWithoutAnErrorLinePerRequest() throws Exception {
        try (CapturedLog log = CapturedLog.attach();
             RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), Map.of("request-timeout-ms", "300",
                     "smsby.tokens", "stalled-request-token"))) {
            for (int i = 0; i < 5; i++) {
                try (Socket socket = new Socket("127.0.0.1", hub.port())) {
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    // a body announced and never sent
                    out.write(("POST /webhooks/smsby?token=stalled-request-token HTTP/1.1\r\nHost: x\r\n"
                            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nchannel=")
                            .getBytes(ISO_8859_1));
                    out.flush();
                    InputStream in = socket.getInputStream();
                    String answer = new String(in.readNBytes(12), ISO_8859_1);
                    assertThat(answer).isEqualTo("HTTP/1.1 408");
                }
            }
            Thread.sleep(500); // the closes are seen after the answers

            assertThat(log.linesAtLeast(Level.ERROR)).as("ERROR lines").isEmpty();
            assertThat(log.linesAtLeast(Level.WARN).stream().filter(l -> !l.startsWith("dlrhub.events")
                    && !l.contains("No credential is configured") && !l.contains("ADMIN_TOKEN")).toList())
                    .as("WARN lines other than the event log and start-up").hasSizeLessThanOrEqualTo(1);
        }
    }
}
