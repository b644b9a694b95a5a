package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every sample in routes/samples/&lt;provider&gt;/*.json through the real service: the request is
 * sent to /webhooks/&lt;provider&gt; with a credential, and the answer and the stored canonical events
 * must be the sample's. A provider an engineer adds is tested by adding its samples
 * (routes/README.md describes the format).
 */
class AdapterSamplesTest {

    static final Path SAMPLES = Path.of("routes", "samples");
    static final String TOKEN = "sample-token";
    static final String TWILIO_AUTH_TOKEN = "sample-twilio-auth-token";
    static final String STANDARD_SECRET = StandardWebhookTest.secret("sample-standard-webhooks-secret");
    static final String PUBLIC_BASE_URL = "https://dlr.example.com";
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with("public-base-url", PUBLIC_BASE_URL)
            .withSettingsFrom(AdapterSamplesTest::credentialsOfEverySamplesProvider);

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    @TestFactory
    Stream<DynamicTest> everySampleGivesItsAnswerAndEvents() throws IOException {
        List<Path> samples = samples();
        assertThat(samples).as("samples in " + SAMPLES).isNotEmpty();
        return samples.stream()
                .map(sample -> DynamicTest.dynamicTest(
                        SAMPLES.relativize(sample).toString(),
                        () -> run(provider(sample), (ObjectNode) JSON.readTree(sample.toFile()))));
    }

    static List<Path> samples() throws IOException {
        try (Stream<Path> files = Files.walk(SAMPLES)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
    }

    static String provider(Path sample) {
        return sample.getParent().getFileName().toString();
    }

    static Map<String, String> credentialsOfEverySamplesProvider() throws IOException {
        Map<String, String> settings = new HashMap<>();
        for (Path sample : samples()) {
            String provider = provider(sample);
            switch (auth(JSON.readTree(sample.toFile()))) {
                case "twilio" -> settings.put(provider + ".auth-tokens", TWILIO_AUTH_TOKEN);
                case "standard" -> settings.put(provider + ".webhook-secrets", STANDARD_SECRET);
                default -> settings.put(provider + ".tokens", TOKEN);
            }
        }
        return settings;
    }

    static String auth(JsonNode sample) {
        return sample.path("auth").asText("token");
    }

    void run(String provider, ObjectNode sample) throws Exception {
        String method = sample.path("method").asText("POST");
        String query = sample.path("query").asText("");
        String body = sample.path("body").isTextual()
                ? sample.path("body").asText()
                : sample.has("body") ? JSON.writeValueAsString(sample.get("body")) : "";
        String path = "/webhooks/" + provider;
        HttpRequest.Builder request = HttpRequest.newBuilder();
        switch (auth(sample)) {
            case "twilio" ->
                request.header(
                        "X-Twilio-Signature",
                        TwilioWebhookTest.twilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL + path, form(body)));
            case "standard" -> {
                String id = sample.path("webhookId").asText("msg_" + sample.hashCode());
                long timestamp = Instant.now().getEpochSecond();
                request.header("webhook-id", id)
                        .header("webhook-timestamp", Long.toString(timestamp))
                        .header(
                                "webhook-signature",
                                StandardWebhookTest.signature(STANDARD_SECRET, id, timestamp, body));
            }
            default -> query = "token=" + TOKEN + (query.isEmpty() ? "" : "&" + query);
        }
        URI uri = hub.uri(path + (query.isEmpty() ? "" : "?" + query));
        request.uri(uri)
                .method(
                        method,
                        body.isEmpty()
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (sample.has("contentType")) {
            request.header("Content-Type", sample.get("contentType").asText());
        }
        Reply reply = hub.send(request.build());

        // "answer": {"http": 200, "status": "accepted"} or {"http": 400, "error": "...", "message": "..."}
        JsonNode expected = sample.path("answer");
        assertThat(reply.status())
                .as("HTTP status of " + reply)
                .isEqualTo(expected.path("http").asInt(200));
        JsonNode answer = reply.json();
        expected.fields().forEachRemaining(field -> {
            if (!field.getKey().equals("http")) {
                assertThat(answer.path(field.getKey()).asText())
                        .as(field.getKey() + " of " + reply)
                        .isEqualTo(field.getValue().asText());
            }
        });

        List<JsonNode> stored = new ArrayList<>();
        for (String eventId : eventIds(reply)) {
            List<Map<String, Object>> rows = Sql.rows(
                    database,
                    "SELECT payload FROM delivery_event WHERE event_id = ?",
                    java.util.UUID.fromString(eventId));
            assertThat(rows).as("event " + eventId + " is stored").hasSize(1);
            ObjectNode event = (ObjectNode) JSON.readTree((String) rows.get(0).get("payload"));
            // different on every run: what is compared is what the adapter made of the request
            event.remove("event_id");
            event.remove("received_at");
            stored.add(event);
        }
        assertThat(stored).as("the canonical events stored").isEqualTo(list(sample.path("events")));
    }

    static List<String> eventIds(Reply reply) {
        if (reply.status() != 200) {
            return List.of();
        }
        JsonNode answer = reply.json();
        if (answer.has("events")) {
            List<String> ids = new ArrayList<>();
            answer.get("events").forEach(e -> ids.add(e.get("event_id").asText()));
            return ids;
        }
        return List.of(answer.get("event_id").asText());
    }

    static List<JsonNode> list(JsonNode array) {
        List<JsonNode> nodes = new ArrayList<>();
        array.forEach(nodes::add);
        return nodes;
    }

    static Map<String, String> form(String body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            fields.put(
                    URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return fields;
    }
}
