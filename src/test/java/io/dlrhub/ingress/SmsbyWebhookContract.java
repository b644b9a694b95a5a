package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * sms.by webhooks end to end: real HTTP into the running service, checked in the database it
 * committed to. Runs once on H2 and once on PostgreSQL (subclasses).
 */
abstract class SmsbyWebhookContract {

    static final String TOKEN = "rotating-token-one";
    static final String NEXT_TOKEN = "rotating-token-two";
    static final Path SEED = Path.of("src/test/resources/fixtures/smsby/seed-sent.form");

    /** The subclass's hub: the same settings on its database. */
    abstract HubExtension shared();

    /**
     * This contract's hub on a database. The 200 concurrent webhooks below come from one address, like no
     * single provider at the per-address defaults (64 connections, 64 in progress; ConnectionSlotsTest):
     * this contract is about storing them, so the per-address limits are raised.
     */
    static HubExtension hubOn(Supplier<TestDatabase> database) {
        return HubExtension.on(database)
                .with(Map.of(
                        "smsby.tokens",
                        TOKEN + ", " + NEXT_TOKEN,
                        "max-body-bytes",
                        "4096",
                        "http.max-connections-per-address",
                        "256",
                        "max-concurrent-requests-per-address",
                        "256"));
    }

    final TestDatabase database = shared().database();
    final RunningHub hub = shared().hub();

    Reply smsby(String form) {
        return hub.post("/webhooks/smsby?token=" + TOKEN, FORM, form);
    }

    long eventsFor(String messageId) {
        return Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id = ?", messageId);
    }

    @Test
    void theSeedWebhookIsStoredAsACanonicalEvent() throws Exception {
        String seed = seedForm();
        Reply reply = smsby(seed);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(reply.field("status")).isEqualTo("accepted");
        String eventId = reply.field("event_id");

        List<Map<String, Object>> rows =
                Sql.rows(database, "SELECT * FROM delivery_event WHERE provider = 'smsby' AND message_id = '2892295'");
        assertThat(rows).hasSize(1);
        Map<String, Object> row = rows.get(0);
        assertThat(row.get("event_id").toString()).isEqualTo(eventId);
        assertThat(row)
                .containsEntry("channel", "VIBER")
                .containsEntry("status", "SENT")
                .containsEntry("provider_status", "SENT");
        assertThat(row.get("error_code")).isNull();
        assertThat(row.get("received_at")).isNotNull();

        JsonNode payload = new ObjectMapper().readTree(row.get("payload").toString());
        assertThat(payload.get("event_id").asText()).isEqualTo(eventId);
        assertThat(payload.get("provider").asText()).isEqualTo("smsby");
        assertThat(payload.get("channel").asText()).isEqualTo("VIBER");
        assertThat(payload.get("message_id").asText()).isEqualTo("2892295");
        assertThat(payload.get("status").asText()).isEqualTo("SENT");
        assertThat(payload.get("provider_status").asText()).isEqualTo("SENT");
        assertThat(payload.has("error_code")).isTrue();
        assertThat(payload.get("error_code").isNull()).isTrue();
        assertThat(payload.get("occurred_at").isNull()).isTrue();
        assertThat(payload.get("received_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(payload.get("attributes").size()).isZero();

        List<Map<String, Object>> status = Sql.rows(
                database,
                "SELECT status, channel, event_id FROM message_status WHERE provider = 'smsby' AND message_id = '2892295'");
        assertThat(status).hasSize(1);
        assertThat(status.get(0)).containsEntry("status", "SENT").containsEntry("channel", "VIBER");
        assertThat(status.get(0).get("event_id").toString()).isEqualTo(eventId);
    }

    @Test
    void aRepeatedWebhookIsAcknowledgedAsDuplicateOfTheFirst() {
        Reply first = smsby("channel=SMS&message_id=dup-1&status=DELIVERED");
        Reply again = smsby("channel=SMS&message_id=dup-1&status=DELIVERED");

        assertThat(first.field("status")).isEqualTo("accepted");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.field("status")).isEqualTo("duplicate");
        assertThat(again.field("event_id")).isEqualTo(first.field("event_id"));
        assertThat(eventsFor("dup-1")).isEqualTo(1);
    }

    @Test
    void theSameMessageOnAnotherChannelIsAnotherEvent() {
        // sms.by falls back from VIBER to SMS under the same message id
        Reply viber = smsby("channel=VIBER&message_id=fallback-1&status=NOT_DELIVERED");
        Reply sms = smsby("channel=SMS&message_id=fallback-1&status=NOT_DELIVERED");

        assertThat(viber.field("status")).isEqualTo("accepted");
        assertThat(sms.field("status")).isEqualTo("accepted");
        assertThat(eventsFor("fallback-1")).isEqualTo(2);
    }

    @Test
    void everyActiveTokenIsAcceptedInTheUrlOrTheHeader() {
        Reply first = hub.post("/webhooks/smsby?token=" + TOKEN, FORM, "channel=SMS&message_id=rot-1&status=SENT");
        Reply second =
                hub.post("/webhooks/smsby?token=" + NEXT_TOKEN, FORM, "channel=SMS&message_id=rot-2&status=SENT");
        Reply header = hub.post(
                "/webhooks/smsby", FORM, "channel=SMS&message_id=rot-3&status=SENT", "X-Webhook-Token", NEXT_TOKEN);

        assertThat(List.of(first.status(), second.status(), header.status())).containsOnly(200);
        assertThat(eventsFor("rot-1") + eventsFor("rot-2") + eventsFor("rot-3")).isEqualTo(3);
    }

    @Test
    void aMissingOrWrongTokenIsRefusedWith401AndNothingIsStored() {
        Reply missing = hub.post("/webhooks/smsby", FORM, "channel=SMS&message_id=auth-1&status=SENT");
        Reply wrong = hub.post("/webhooks/smsby?token=guess", FORM, "channel=SMS&message_id=auth-1&status=SENT");
        Reply prefix = hub.post(
                "/webhooks/smsby?token=" + TOKEN.substring(0, 5), FORM, "channel=SMS&message_id=auth-1&status=SENT");

        for (Reply reply : List.of(missing, wrong, prefix)) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
            assertThat(reply.field("error")).isEqualTo("unauthorized");
            assertThat(reply.body()).doesNotContain(TOKEN).doesNotContain("guess");
        }
        assertThat(eventsFor("auth-1")).isZero();
    }

    @Test
    void eachMissingFieldIsNamedIn400() {
        assertThat(smsby("message_id=miss-1&status=SENT"))
                .satisfies(r -> assertError(r, 400, "missing_field", "channel"));
        assertThat(smsby("channel=SMS&status=SENT")).satisfies(r -> assertError(r, 400, "missing_field", "message_id"));
        assertThat(smsby("channel=SMS&message_id=miss-1"))
                .satisfies(r -> assertError(r, 400, "missing_field", "status"));
        assertThat(smsby("channel=SMS&message_id=miss-1&status="))
                .satisfies(r -> assertError(r, 400, "missing_field", "status"));
        assertThat(smsby("")).satisfies(r -> assertError(r, 400, "missing_field", "channel"));
        assertThat(eventsFor("miss-1")).isZero();
    }

    @Test
    void invalidFieldsAreNamedIn400() {
        String longId = "x".repeat(129);
        assertThat(smsby("channel=SMS&message_id=" + longId + "&status=SENT"))
                .satisfies(r -> assertError(r, 400, "invalid_field", "message_id"));
        assertThat(smsby("channel=" + "C".repeat(129) + "&message_id=bad-1&status=SENT"))
                .satisfies(r -> assertError(r, 400, "invalid_field", "channel"));
        assertThat(smsby("channel=SMS&message_id=bad-1&status=" + "S".repeat(129)))
                .satisfies(r -> assertError(r, 400, "invalid_field", "status"));
        assertThat(smsby("channel=SMS&message_id=bad-1%0D%0AX-Injected:1&status=SENT"))
                .satisfies(r -> assertError(r, 400, "invalid_field", "message_id"));
        assertThat(smsby("channel=SMS&message_id=bad-1%00&status=SENT"))
                .satisfies(r -> assertError(r, 400, "invalid_field", "message_id"));
        assertThat(smsby("channel=SMS&message_id=bad-1&message_id=bad-2&status=SENT"))
                .satisfies(r -> assertError(r, 400, "invalid_field", "message_id"));
        assertThat(smsby("channel=SMS&message_id=bad-1&status=SENT&note=%00"))
                .satisfies(r -> assertError(r, 400, "invalid_field", "note"));
        assertThat(eventsFor("bad-1") + eventsFor(longId)).isZero();
    }

    @Test
    void aMessageIdOfExactly128CharactersIsAccepted() {
        String id = "m".repeat(128);
        assertThat(smsby("channel=SMS&message_id=" + id + "&status=SENT").status())
                .isEqualTo(200);
        assertThat(eventsFor(id)).isEqualTo(1);
    }

    @Test
    void aBodyThatIsNotAFormIsRefusedWith415() {
        Reply json = hub.post(
                "/webhooks/smsby?token=" + TOKEN,
                "application/json",
                "{\"channel\":\"SMS\",\"message_id\":\"type-1\",\"status\":\"SENT\"}");
        Reply none = hub.post("/webhooks/smsby?token=" + TOKEN, null, "channel=SMS&message_id=type-1&status=SENT");

        assertError(json, 415, "unsupported_media_type", "application/x-www-form-urlencoded");
        assertError(none, 415, "unsupported_media_type", "application/x-www-form-urlencoded");
        assertThat(eventsFor("type-1")).isZero();
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() {
        String big = "channel=SMS&message_id=big-1&status=SENT&padding=" + "p".repeat(5000);
        assertError(smsby(big), 413, "payload_too_large", "MAX_BODY_BYTES");
        assertThat(eventsFor("big-1")).isZero();
    }

    @Test
    void aGetIsRefusedWith405() {
        Reply reply = hub.send(HttpRequest.newBuilder(hub.uri("/webhooks/smsby?token=" + TOKEN))
                .GET()
                .build());
        assertError(reply, 405, "method_not_allowed", "POST");
    }

    @Test
    void anUnknownProviderIsRefusedWith404() {
        assertError(
                hub.post("/webhooks/nosuchprovider?token=" + TOKEN, FORM, "channel=SMS&message_id=u-1&status=SENT"),
                404,
                "unknown_provider",
                "provider");
        assertError(hub.post("/webhooks/..%2Fsmsby", FORM, "channel=SMS&message_id=u-1&status=SENT"), 404, null, null);
        assertThat(eventsFor("u-1")).isZero();
    }

    @Test
    void aLateLowerStatusIsKeptInTheTimelineButDoesNotRegressTheMessage() {
        assertThat(smsby("channel=SMS&message_id=rank-1&status=SENT").status()).isEqualTo(200);
        assertThat(smsby("channel=SMS&message_id=rank-1&status=DELIVERED").status())
                .isEqualTo(200);
        assertThat(smsby("channel=SMS&message_id=rank-1&status=NEW").status()).isEqualTo(200);
        assertThat(smsby("channel=SMS&message_id=rank-1&status=SENT").field("status"))
                .isEqualTo("duplicate");

        assertThat(eventsFor("rank-1")).isEqualTo(3);
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'rank-1'"))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");

        assertThat(smsby("channel=SMS&message_id=rank-1&status=READ").status()).isEqualTo(200);
        assertThat(Sql.rows(database, "SELECT status FROM message_status WHERE message_id = 'rank-1'"))
                .extracting(r -> r.get("status"))
                .containsExactly("READ");
    }

    @Test
    void anUnmappedStatusIsStoredAsUnknownAndExtraFieldsAsAttributes() throws Exception {
        Reply reply = smsby("channel=viber&message_id=unk-1&status=PARTLY_DELIVERED&parts=2&cost=0.05");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);

        Map<String, Object> row = Sql.rows(database, "SELECT * FROM delivery_event WHERE message_id = 'unk-1'")
                .get(0);
        assertThat(row)
                .containsEntry("status", "UNKNOWN")
                .containsEntry("provider_status", "PARTLY_DELIVERED")
                .containsEntry("channel", "VIBER");
        JsonNode attributes =
                new ObjectMapper().readTree(row.get("payload").toString()).get("attributes");
        assertThat(attributes.get("parts").asText()).isEqualTo("2");
        assertThat(attributes.get("cost").asText()).isEqualTo("0.05");
        assertThat(attributes.size()).isEqualTo(2);
    }

    @Test
    void failedWordsMapToFailed() {
        for (String word : List.of("NOT_DELIVERED", "EXPIRED", "REJECTED", "ERROR", "FAILED")) {
            assertThat(smsby("channel=SMS&message_id=fail-" + word + "&status=" + word)
                            .status())
                    .isEqualTo(200);
        }
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(*) FROM delivery_event WHERE message_id LIKE 'fail-%' AND status = 'FAILED'"))
                .isEqualTo(5);
    }

    @Test
    void twoHundredConcurrentWebhooksAreEachStoredOnce() {
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            HttpRequest request = HttpRequest.newBuilder(hub.uri("/webhooks/smsby?token=" + TOKEN))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", FORM)
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "channel=SMS&message_id=burst-" + i + "&status=DELIVERED"))
                    .build();
            sent.add(hub.http().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = sent.stream()
                .map(CompletableFuture::join)
                .map(HttpResponse::statusCode)
                .toList();

        assertThat(statuses).hasSize(200).containsOnly(200);
        assertThat(Sql.count(database, "SELECT COUNT(*) FROM delivery_event WHERE message_id LIKE 'burst-%'"))
                .isEqualTo(200);
        assertThat(Sql.count(
                        database,
                        "SELECT COUNT(DISTINCT message_id) FROM message_status WHERE message_id LIKE 'burst-%'"))
                .isEqualTo(200);
    }

    @Test
    void noRequestHeaderOrFieldIsEchoedInTheAnswer() {
        Reply reply = hub.post(
                "/webhooks/smsby?token=" + TOKEN,
                FORM,
                "channel=SMS&message_id=echo-1&status=SENT",
                "X-Custom",
                "value");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.raw().headers().map().keySet())
                .noneMatch(h -> h.equalsIgnoreCase("channel")
                        || h.equalsIgnoreCase("message_id")
                        || h.equalsIgnoreCase("token")
                        || h.equalsIgnoreCase("X-Custom"));
    }

    static void assertError(Reply reply, int status, String code, String mentioned) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.raw().headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(reply.json().has("error")).as(reply.toString()).isTrue();
        assertThat(reply.json().has("message")).as(reply.toString()).isTrue();
        if (code != null) {
            assertThat(reply.field("error")).isEqualTo(code);
        }
        if (mentioned != null) {
            assertThat(reply.field("message")).contains(mentioned);
        }
        assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    static String seedForm() throws Exception {
        return Files.readString(SEED).trim();
    }
}
