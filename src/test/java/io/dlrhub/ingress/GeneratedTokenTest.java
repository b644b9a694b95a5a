package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provider with no configured token is never open, and its secrets stay out of the logs. */
class GeneratedTokenTest {

    private static final Pattern ANNOUNCED = Pattern.compile("/webhooks/smsby\\?token=([A-Za-z0-9_-]+)");

    @TempDir
    Path directory;

    @Test
    void withoutConfiguredTokensAGeneratedTokenIsAnnouncedRequiredAndKeptAcrossRestarts() throws Exception {
        Path file = directory.resolve("generated-tokens.properties");
        Map<String, String> settings = Map.of(
                "smsby.tokens",
                "",
                "public-base-url",
                "https://dlr.example.org",
                "generated-tokens.file",
                file.toString());
        String generated;
        try (CapturedLog log = CapturedLog.attach();
                RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), settings)) {
            generated = announcedToken(log, "kept across restarts in " + file);
            assertThat(generated).hasSizeGreaterThanOrEqualTo(40);
            Properties kept = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                kept.load(reader);
            }
            assertThat(kept.getProperty("smsby.tokens")).isEqualTo(generated);

            assertThat(hub.post("/webhooks/smsby", FORM, "channel=SMS&message_id=gen-1&status=SENT")
                            .status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/smsby?token=", FORM, "channel=SMS&message_id=gen-1&status=SENT")
                            .status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/smsby?token=" + generated, FORM, "channel=SMS&message_id=gen-1&status=SENT")
                            .status())
                    .isEqualTo(200);
            assertThat(hub.post(
                                    "/webhooks/smsby",
                                    FORM,
                                    "channel=SMS&message_id=gen-2&status=SENT",
                                    "X-Webhook-Token",
                                    generated)
                            .status())
                    .isEqualTo(200);
            // the other providers without a credential got tokens of their own
            assertThat(hub.post("/webhooks/vonage?token=" + generated, FORM, "messageId=gen-3&status=delivered")
                            .status())
                    .isEqualTo(401);
            assertThat(log.linesContaining("https://dlr.example.org/webhooks/smsby?token=" + generated))
                    .hasSize(1);
            assertThat(log.linesContaining(generated)).hasSize(1);
        }
        try (CapturedLog log = CapturedLog.attach();
                RunningHub restarted = RunningHub.start(TestDatabase.h2InMemory(), settings)) {
            assertThat(announcedToken(log, "kept across restarts")).isEqualTo(generated);
            assertThat(restarted
                            .post(
                                    "/webhooks/smsby?token=" + generated,
                                    FORM,
                                    "channel=SMS&message_id=gen-4&status=SENT")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void withoutAGeneratedTokensFileTheTokenIsForThisRunOnly() {
        try (CapturedLog log = CapturedLog.attach();
                RunningHub hub = RunningHub.start(
                        TestDatabase.h2InMemory(), Map.of("smsby.tokens", "", "generated-tokens.file", ""))) {
            String generated = announcedToken(log, "for this run only");
            assertThat(hub.post("/webhooks/smsby", FORM, "channel=SMS&message_id=run-1&status=SENT")
                            .status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/smsby?token=" + generated, FORM, "channel=SMS&message_id=run-1&status=SENT")
                            .status())
                    .isEqualTo(200);
        }
    }

    /** The one start-up line for sms.by: the webhook URL with its token, and how to configure it. */
    private static String announcedToken(CapturedLog log, String lifetime) {
        List<String> announcements = log.linesContaining("/webhooks/smsby?token=");
        assertThat(announcements).singleElement().asString().contains(lifetime).contains("SMSBY_TOKENS=");
        Matcher matcher = ANNOUNCED.matcher(announcements.get(0));
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    @Test
    void configuredTokensNeverReachTheLog() {
        String secret = "s3cret-token-value-for-log-test";
        try (CapturedLog log = CapturedLog.attach();
                RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", secret))) {
            assertThat(hub.post("/webhooks/smsby?token=" + secret, FORM, "channel=SMS&message_id=log-1&status=SENT")
                            .status())
                    .isEqualTo(200);
            assertThat(hub.post("/webhooks/smsby?token=" + secret, FORM, "channel=SMS&message_id=log-1")
                            .status())
                    .isEqualTo(400);
            assertThat(hub.post(
                                    "/webhooks/smsby?token=" + secret + "x",
                                    FORM,
                                    "channel=SMS&message_id=log-2&status=SENT")
                            .status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/nosuch?token=" + secret, FORM, "x=1").status())
                    .isEqualTo(404);

            assertThat(log.linesContaining("dlrhub.events")).hasSizeGreaterThanOrEqualTo(4);
            assertThat(log.lines()).noneMatch(line -> line.contains(secret));
        }
    }
}
