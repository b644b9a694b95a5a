package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.CapturedLog;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A provider with no configured token is never open, and its secrets stay out of the logs. */
class GeneratedTokenTest {

    @TempDir
    Path directory;

    @Test
    void withoutConfiguredTokensAGeneratedTokenIsKeptInItsFileRequiredAndNeverLogged() throws Exception {
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
            announcement(log, "kept across restarts in " + file + " as smsby.tokens");
            generated = kept(file);
            assertThat(generated).hasSizeGreaterThanOrEqualTo(40);

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
            assertThat(announcement(log, "https://dlr.example.org/webhooks/smsby?token=<smsby.tokens from that file>"))
                    .contains("set SMSBY_TOKENS");
            assertThat(log.lines()).noneMatch(line -> line.contains(generated));
        }
        try (CapturedLog log = CapturedLog.attach();
                RunningHub restarted = RunningHub.start(TestDatabase.h2InMemory(), settings)) {
            announcement(log, "kept across restarts");
            assertThat(kept(file)).isEqualTo(generated);
            assertThat(log.lines()).noneMatch(line -> line.contains(generated));
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
    void withoutAGeneratedTokensFileTheProviderStaysClosedUntilConfigured() {
        try (CapturedLog log = CapturedLog.attach();
                RunningHub hub = RunningHub.start(
                        TestDatabase.h2InMemory(), Map.of("smsby.tokens", "", "generated-tokens.file", ""))) {
            assertThat(announcement(log, "no generated token could be kept (generated-tokens.file is empty)"))
                    .contains("refuses every webhook until SMSBY_TOKENS");
            assertThat(hub.post("/webhooks/smsby", FORM, "channel=SMS&message_id=run-1&status=SENT")
                            .status())
                    .isEqualTo(401);
            assertThat(hub.post("/webhooks/smsby?token=guess", FORM, "channel=SMS&message_id=run-1&status=SENT")
                            .status())
                    .isEqualTo(401);
        }
    }

    /** The one start-up line for sms.by: how to get its token and how to configure one. */
    private static String announcement(CapturedLog log, String expected) {
        List<String> announcements = log.linesContaining("provider 'smsby'");
        assertThat(announcements).singleElement().asString().contains(expected);
        return announcements.get(0);
    }

    private static String kept(Path file) throws IOException {
        Properties kept = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            kept.load(reader);
        }
        return kept.getProperty("smsby.tokens");
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
