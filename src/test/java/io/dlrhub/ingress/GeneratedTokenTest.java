package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import org.junit.jupiter.api.Test;

/** A provider with no configured token is never open, and its secrets stay out of the logs. */
class GeneratedTokenTest {

    private static final Pattern ANNOUNCED = Pattern.compile("/webhooks/smsby\\?token=([A-Za-z0-9_-]+)");

    @Test
    void withoutConfiguredTokensAGeneratedTokenIsAnnouncedOnceAndRequired() {
        try (CapturedLog log = CapturedLog.attach();
             RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(),
                     Map.of("smsby.tokens", "", "public-base-url", "https://dlr.example.org"))) {
            List<String> announcements = log.linesContaining("/webhooks/smsby?token=");
            assertThat(announcements).hasSize(1);
            assertThat(announcements.get(0)).contains("https://dlr.example.org/webhooks/smsby?token=")
                    .contains("SMSBY_TOKENS=");
            Matcher matcher = ANNOUNCED.matcher(announcements.get(0));
            assertThat(matcher.find()).isTrue();
            String generated = matcher.group(1);
            assertThat(generated).hasSizeGreaterThanOrEqualTo(40);

            assertThat(hub.post("/webhooks/smsby", FORM, "channel=SMS&message_id=gen-1&status=SENT").status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/smsby?token=", FORM, "channel=SMS&message_id=gen-1&status=SENT").status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/smsby?token=" + generated, FORM, "channel=SMS&message_id=gen-1&status=SENT")
                    .status()).isEqualTo(200);
            assertThat(hub.post("/webhooks/smsby", FORM, "channel=SMS&message_id=gen-2&status=SENT",
                    "X-Webhook-Token", generated).status()).isEqualTo(200);

            assertThat(log.linesContaining(generated)).hasSize(1);
        }
    }

    @Test
    void configuredTokensNeverReachTheLog() {
        String secret = "s3cret-token-value-for-log-test";
        try (CapturedLog log = CapturedLog.attach();
             RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", secret))) {
            assertThat(hub.post("/webhooks/smsby?token=" + secret, FORM, "channel=SMS&message_id=log-1&status=SENT")
                    .status()).isEqualTo(200);
            assertThat(hub.post("/webhooks/smsby?token=" + secret, FORM, "channel=SMS&message_id=log-1")
                    .status()).isEqualTo(400);
            assertThat(hub.post("/webhooks/smsby?token=" + secret + "x", FORM, "channel=SMS&message_id=log-2&status=SENT")
                    .status()).isEqualTo(401);
            assertThat(hub.post("/webhooks/nosuch?token=" + secret, FORM, "x=1").status()).isEqualTo(404);

            assertThat(log.linesContaining("dlrhub.events")).hasSizeGreaterThanOrEqualTo(4);
            assertThat(log.lines()).noneMatch(line -> line.contains(secret));
        }
    }
}
