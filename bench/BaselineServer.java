// "Write it by hand" baseline receiver for the dlr-hub benchmark.
// Run from the repository root after the build:
//   java -cp "target/lib/*" bench/BaselineServer.java [port] [jdbcUrl] [user] [password]
// defaults: 18081 jdbc:postgresql://127.0.0.1:5432/baseline_bench postgres ""
//
// A plain Vert.x HTTP server: per POST it parses the form body (channel, message_id, status),
// runs ONE JDBC INSERT into dlr(...) through a HikariCP pool (10 connections, autoCommit on) on a
// worker thread (vertx.executeBlocking, unordered), and answers 200 JSON only after the INSERT
// returned (i.e. committed); 500 when the database failed, 400 when a field is missing.
// GET (any path) answers 200 {"status":"UP"} once the pool is up: the readiness probe.
// No authentication, no validation beyond presence, no outbox, no dedup: the minimum.
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

public class BaselineServer {

    static final String INSERT = "INSERT INTO dlr (channel, message_id, status) VALUES (?, ?, ?)";

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18081;
        String url = args.length > 1 ? args[1] : "jdbc:postgresql://127.0.0.1:5432/baseline_bench";
        String user = args.length > 2 ? args[2] : "postgres";
        String password = args.length > 3 ? args[3] : "";

        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setUsername(user);
        cfg.setPassword(password);
        cfg.setMaximumPoolSize(10);
        cfg.setMinimumIdle(10);
        cfg.setAutoCommit(true);
        cfg.setConnectionTimeout(5000);
        cfg.setPoolName("baseline");
        HikariDataSource ds = new HikariDataSource(cfg);
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS dlr (channel text, message_id text, status text, "
                    + "received_at timestamptz DEFAULT now())");
        }

        Vertx vertx = Vertx.vertx();
        int instances = Runtime.getRuntime().availableProcessors();
        vertx.deployVerticle(() -> new Receiver(ds, port), new DeploymentOptions().setInstances(instances))
                .onSuccess(id -> System.out.println("BaselineServer listening on 127.0.0.1:" + port + " (" + instances
                        + " event loops, pool " + cfg.getMaximumPoolSize() + ")"))
                .onFailure(t -> {
                    t.printStackTrace();
                    System.exit(1);
                });
        Runtime.getRuntime().addShutdownHook(new Thread(ds::close));
    }

    static final class Receiver extends AbstractVerticle {
        private final HikariDataSource ds;
        private final int port;

        Receiver(HikariDataSource ds, int port) {
            this.ds = ds;
            this.port = port;
        }

        @Override
        public void start(io.vertx.core.Promise<Void> started) {
            vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                    .requestHandler(this::handle)
                    .listen()
                    .<Void>mapEmpty()
                    .onComplete(started);
        }

        private void handle(HttpServerRequest req) {
            if (req.method() == HttpMethod.GET) {
                json(req, 200, "{\"status\":\"UP\"}");
                return;
            }
            if (req.method() != HttpMethod.POST) {
                json(req, 405, "{\"error\":\"method_not_allowed\"}");
                return;
            }
            req.setExpectMultipart(true); // Vert.x decodes application/x-www-form-urlencoded bodies
            req.endHandler(v -> {
                MultiMap form = req.formAttributes();
                String channel = form.get("channel");
                String messageId = form.get("message_id");
                String status = form.get("status");
                if (channel == null || messageId == null || status == null) {
                    json(req, 400, "{\"error\":\"missing_field\"}");
                    return;
                }
                vertx.<Void>executeBlocking(
                                () -> {
                                    try (Connection c = ds.getConnection();
                                            PreparedStatement ps = c.prepareStatement(INSERT)) {
                                        ps.setString(1, channel);
                                        ps.setString(2, messageId);
                                        ps.setString(3, status);
                                        ps.executeUpdate(); // autoCommit: committed when this returns
                                    }
                                    return null;
                                },
                                false)
                        .onComplete(ar -> {
                            if (ar.succeeded()) {
                                json(req, 200, "{\"status\":\"accepted\"}");
                            } else {
                                System.err.println("insert failed: " + ar.cause());
                                json(req, 500, "{\"error\":\"database\"}");
                            }
                        });
            });
            req.exceptionHandler(t -> {
                if (!req.response().ended()) json(req, 400, "{\"error\":\"invalid_body\"}");
            });
        }

        private static void json(HttpServerRequest req, int status, String body) {
            req.response()
                    .setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .end(body);
        }
    }
}
