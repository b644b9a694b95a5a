package io.dlrhub.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.Application;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.main.Main;

/**
 * dlr-hub started the way {@code java -jar target/dlr-hub.jar} starts it (same Main, same
 * application.properties, same routes/ files), on a random port, with settings overridden.
 */
public final class RunningHub implements AutoCloseable {

    public static final String FORM = "application/x-www-form-urlencoded";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Main main;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private RunningHub(Main main) {
        this.main = main;
    }

    public static RunningHub start(TestDatabase database, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>();
        all.put("http.port", "0");
        all.put("http.host", "127.0.0.1");
        all.put("management.host", "127.0.0.1");
        all.put("management.port", String.valueOf(freePort()));
        // providers without credential get their tokens in a file of this hub, not in ./data
        all.put("generated-tokens.file", generatedTokensFile().toString());
        all.putAll(database.settings());
        all.putAll(settings);
        Main main = Application.create();
        all.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            // a hub refused at start (a bad setting) must not keep its listeners and pool open
            try {
                main.stop();
            } catch (Exception stopping) {
                e.addSuppressed(stopping);
            }
            throw new IllegalStateException("dlr-hub did not start", e);
        }
        return new RunningHub(main);
    }

    /** A file of this hub's own (empty until a token is generated), so hubs never share tokens. */
    private static Path generatedTokensFile() {
        try {
            return Files.createTempFile("dlr-hub-generated-tokens-", ".properties");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port nobody listens on right now (the management listener cannot share port 0 with the webhook one). */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int managementPort() {
        return Integer.parseInt(context().resolvePropertyPlaceholders("{{management.port}}"));
    }

    public URI managementUri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + managementPort() + pathAndQuery);
    }

    public Reply admin(String method, String pathAndQuery, String adminToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(managementUri(pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (adminToken != null) {
            request.header("Authorization", "Bearer " + adminToken);
        }
        return send(request.build());
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public int port() {
        return context().hasService(VertxPlatformHttpServer.class).getPort();
    }

    public DataSource dataSource() {
        return context().getRegistry().lookupByNameAndType("dataSource", DataSource.class);
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public Reply post(String pathAndQuery, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    public Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return Reply.of(response);
        } catch (Exception e) {
            throw new IllegalStateException("request to dlr-hub failed", e);
        }
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException("dlr-hub did not stop", e);
        }
    }

    /** An HTTP answer with its JSON body parsed. */
    public record Reply(int status, String body, HttpResponse<String> raw) {

        static Reply of(HttpResponse<String> response) {
            return new Reply(response.statusCode(), response.body(), response);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("answer is not JSON: " + body, e);
            }
        }

        public String field(String name) {
            JsonNode node = json().get(name);
            return node == null || node.isNull() ? null : node.asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
