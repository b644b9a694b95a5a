package io.dlrhub.ops;

import static io.dlrhub.ops.Fixtures.ADMIN;
import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.dlrhub.http.HttpServerConfiguration;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenAPI document served at GET /api/openapi.json against the running service: the same
 * operations as the routes on the management port (read from the CamelContext), valid OpenAPI 3.1,
 * examples that fit their schemas, and real answers that fit them too. Its scope is the management
 * API: every management-port route under /api/ and /observe/ (the console's pages are not API).
 */
class OpenApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS =
            Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");

    /** The CRM refuses: deliveries die, so the dead list, replays and attempts have something to show. */
    @AutoClose
    private static final Receiver crm = Receiver.start((key, body) -> new Receiver.Reply(400, Map.of()));

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with(Map.of(
                    "admin.token",
                    ADMIN,
                    "smsby.tokens",
                    "tok",
                    "crm.url",
                    crm.url(),
                    "replay.rate-per-second",
                    "1000"));

    private static JsonNode document;
    private static String documentText;

    private final TestDatabase database = shared.database();
    private final RunningHub hub = shared.hub();

    @BeforeAll
    static void readTheServedDocument() throws IOException {
        Reply served = shared.hub().admin("GET", "/api/openapi.json", ADMIN);
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        documentText = served.body();
        document = JSON.readTree(documentText);
    }

    @Test
    void theDocumentIsValidOpenApi31() {
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(documentText);
        assertThat(parsed.getMessages()).isEmpty();
        assertThat(parsed.getOpenAPI().getOpenapi()).isEqualTo("3.1.0");
        assertThat(parsed.getOpenAPI().getPaths()).isNotEmpty();
        assertThat(hub.admin("GET", "/api/openapi.json", null).status()).isEqualTo(401);
    }

    /** The methods and paths of the routes on the management listener, as "get /api/events". */
    private Set<String> managementRoutes() {
        Object engine = hub.context().getRegistry().lookupByName(HttpServerConfiguration.MANAGEMENT_ENGINE);
        Set<String> operations = new TreeSet<>();
        for (Route route : hub.context().getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint http
                    && http.getPlatformHttpEngine() == engine
                    && (http.getPath().startsWith("/api/") || http.getPath().startsWith("/observe/"))) {
                assertThat(http.getHttpMethodRestrict())
                        .as("the methods of " + http.getPath())
                        .isNotBlank();
                for (String method : http.getHttpMethodRestrict().split(",")) {
                    operations.add(method.trim().toLowerCase() + " " + http.getPath());
                }
            }
        }
        return operations;
    }

    private Set<String> documentedOperations() {
        Set<String> operations = new TreeSet<>();
        document.get("paths")
                .properties()
                .forEach(path -> path.getValue().properties().forEach(operation -> {
                    if (METHODS.contains(operation.getKey())) {
                        operations.add(operation.getKey() + " " + path.getKey());
                    }
                }));
        return operations;
    }

    @Test
    void everyRouteOfTheManagementPortIsDocumentedAndEveryDocumentedOperationIsARoute() {
        Set<String> routes = managementRoutes();
        assertThat(routes)
                .contains("get /api/events", "post /api/replays", "get /observe/metrics", "get /api/openapi.json");
        assertThat(documentedOperations()).containsExactlyElementsOf(routes);
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryDeclaredOneIsInThePath() {
        document.get("paths").properties().forEach(path -> {
            Set<String> inPath = new TreeSet<>();
            Matcher parameter = PATH_PARAMETER.matcher(path.getKey());
            while (parameter.find()) {
                inPath.add(parameter.group(1));
            }
            path.getValue().properties().forEach(operation -> {
                Set<String> declared = new TreeSet<>();
                JsonNode parameters = operation.getValue().get("parameters");
                if (parameters != null) {
                    parameters.forEach(p -> {
                        if ("path".equals(p.get("in").asText())) {
                            declared.add(p.get("name").asText());
                        }
                    });
                }
                assertThat(declared)
                        .as(operation.getKey() + " " + path.getKey())
                        .isEqualTo(inPath);
            });
        });
    }

    @Test
    void theCanonicalEventIsTheSchemaOfTheSchemaFolder() throws IOException {
        JsonNode schema = JSON.readTree(Files.readString(Path.of("schema/canonical-event.schema.json")));
        JsonNode documented = document.get("components").get("schemas").get("CanonicalEvent");
        assertThat(documented.get("properties")).isEqualTo(schema.get("properties"));
        assertThat(documented.get("required")).isEqualTo(schema.get("required"));
    }

    @Test
    void everyExampleFitsItsSchema() {
        int examples = 0;
        for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                List<JsonNode> bodies = new ArrayList<>();
                if (operation.getValue().has("requestBody")) {
                    bodies.add(operation.getValue().get("requestBody"));
                }
                operation.getValue().get("responses").forEach(bodies::add);
                for (JsonNode body : bodies) {
                    JsonNode json = resolve(body).path("content").path("application/json");
                    if (json.has("example")) {
                        examples++;
                        assertThat(errors(
                                        json.get("schema"), json.get("example").toString()))
                                .as(operation.getKey() + " " + path.getKey())
                                .isEmpty();
                    }
                }
            }
        }
        assertThat(examples).as("examples in the document").isGreaterThanOrEqualTo(4);
        // and a wrong example would be caught
        JsonNode page = document.get("paths")
                .get("/api/events")
                .get("get")
                .get("responses")
                .get("200")
                .get("content")
                .get("application/json");
        assertThat(errors(page.get("schema"), "{\"events\":[{\"event_id\":1}],\"next\":null}"))
                .isNotEmpty();
        assertThat(errors(page.get("schema"), "{\"events\":[],\"next\":null,\"total\":3}"))
                .isNotEmpty();
    }

    @Test
    void realAnswersFitTheDocumentedSchemas() {
        for (int i = 0; i < 3; i++) {
            assertThat(hub.post(
                                    "/webhooks/smsby?token=tok",
                                    FORM,
                                    "channel=VIBER&message_id=oa-" + i + "&status=FAILED")
                            .status())
                    .isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        Sql.count(database, "SELECT COUNT(*) FROM outbox WHERE sink = 'crm' AND state = 'dead'") == 3);
        Map<String, Object> dead = Sql.rows(database, "SELECT id, event_id FROM outbox WHERE sink = 'crm' ORDER BY id")
                .get(0);
        UUID eventId = UUID.fromString(dead.get("event_id").toString());

        fits("get", "/api/events", hub.admin("GET", "/api/events?sink_state=dead", ADMIN), 200);
        fits("get", "/api/events", hub.admin("GET", "/api/events?limit=1", ADMIN), 200);
        fits("get", "/api/events", hub.admin("GET", "/api/events?limit=x", ADMIN), 400);
        fits("get", "/api/events", hub.admin("GET", "/api/events", null), 401);
        fits("get", "/api/events", hub.admin("DELETE", "/api/events", ADMIN), 405);
        Reply details = hub.admin("GET", "/api/events/" + eventId, ADMIN);
        fits("get", "/api/events/{event_id}", details, 200);
        // the dispatcher recorded the CRM's refusal as an attempt
        List<String> outcomes = new ArrayList<>();
        details.json().get("deliveries").forEach(delivery -> {
            if ("crm".equals(delivery.get("sink").asText())) {
                delivery.get("attempt_history")
                        .forEach(attempt -> outcomes.add(attempt.get("outcome").asText() + " "
                                + attempt.get("http_status").asText()));
            }
        });
        assertThat(outcomes).containsExactly("dead 400");
        fits("get", "/api/events/{event_id}", hub.admin("GET", "/api/events/" + UUID.randomUUID(), ADMIN), 404);
        fits("get", "/api/messages/{provider}/{message_id}", hub.admin("GET", "/api/messages/smsby/oa-0", ADMIN), 200);
        fits("get", "/api/outbox", hub.admin("GET", "/api/outbox?state=dead", ADMIN), 200);

        Reply replay = Fixtures.postJson(hub, "/api/replays", "{\"ids\":[" + dead.get("id") + "]}");
        fits("post", "/api/replays", replay, 202);
        long id = replay.json().get("id").asLong();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "done"
                        .equals(hub.admin("GET", "/api/replays/" + id, ADMIN).field("state")));
        fits("get", "/api/replays/{id}", hub.admin("GET", "/api/replays/" + id, ADMIN), 200);
        fits("get", "/api/replays", hub.admin("GET", "/api/replays", ADMIN), 200);
        fits("post", "/api/replays/{id}/cancel", hub.admin("POST", "/api/replays/" + id + "/cancel", ADMIN), 409);
        fits("post", "/api/replays", Fixtures.postJson(hub, "/api/replays", "{}"), 400);
        Reply backfill =
                Fixtures.postJson(hub, "/api/backfills", "{\"sink\":\"crm\",\"from\":\"2020-01-01T00:00:00Z\"}");
        fits("post", "/api/backfills", backfill, 202);
        fits(
                "get",
                "/api/backfills/{id}",
                hub.admin("GET", "/api/backfills/" + backfill.json().get("id").asLong(), ADMIN),
                200);
        fits(
                "delete",
                "/api/outbox",
                hub.admin("DELETE", "/api/outbox?state=dead&before=2020-01-01T00:00:00Z", ADMIN),
                200);
        fits(
                "delete",
                "/api/outbox",
                hub.admin("DELETE", "/api/outbox?state=pending&before=2020-01-01T00:00:00Z", ADMIN),
                400);
        fits("get", "/api/overview", hub.admin("GET", "/api/overview", ADMIN), 200);
        fits("get", "/api/overview", hub.admin("GET", "/api/overview", null), 401);
        Reply sinks = hub.admin("GET", "/api/sinks", ADMIN);
        fits("get", "/api/sinks", sinks, 200);
        assertThat(sinks.body())
                .as("the CRM's refusals are among its recent failures")
                .contains("\"outcome\":\"dead\"");
        // a console session's POST without its CSRF token
        Reply signedIn = hub.send(java.net.http.HttpRequest.newBuilder(hub.managementUri("/console/sign-in"))
                .header("Content-Type", FORM)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("token=" + ADMIN))
                .build());
        String cookie =
                signedIn.raw().headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        fits(
                "post",
                "/api/replays",
                hub.send(java.net.http.HttpRequest.newBuilder(hub.managementUri("/api/replays"))
                        .header("Cookie", cookie)
                        .header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"ids\":[1]}"))
                        .build()),
                403);
        fits("get", "/observe/health", hub.admin("GET", "/observe/health", null), 200);
        fits("get", "/observe/health/ready", hub.admin("GET", "/observe/health/ready", null), 200);
    }

    /** The answer's status is documented for the operation and its body fits the documented schema. */
    private void fits(String method, String path, Reply reply, int status) {
        assertThat(reply.status()).as(method + " " + path + ": " + reply.body()).isEqualTo(status);
        JsonNode response = resolve(
                document.get("paths").get(path).get(method).get("responses").get(String.valueOf(status)));
        assertThat(response)
                .as("status " + status + " of " + method + " " + path + " is documented")
                .isNotNull();
        JsonNode schema = response.path("content").path("application/json").get("schema");
        assertThat(schema)
                .as("JSON schema of " + status + " of " + method + " " + path)
                .isNotNull();
        assertThat(errors(schema, reply.body()))
                .as(method + " " + path + " " + status + ": " + reply.body())
                .isEmpty();
    }

    /** A response or request body, or what its $ref points at (#/components/...). */
    private JsonNode resolve(JsonNode node) {
        if (node == null || !node.has("$ref")) {
            return node;
        }
        JsonNode target = document;
        Iterator<String> steps =
                List.of(node.get("$ref").asText().substring(2).split("/")).iterator();
        while (steps.hasNext()) {
            target = target.get(steps.next());
        }
        return target;
    }

    /** Validation errors of the JSON text against the schema, whose $refs point into the document's components. */
    private List<String> errors(JsonNode schema, String json) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("components", document.get("components"));
        root.putArray("allOf").add(schema);
        Schema validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(root.toString(), InputFormat.JSON);
        return validator.validate(json, InputFormat.JSON).stream()
                .map(Object::toString)
                .toList();
    }
}
