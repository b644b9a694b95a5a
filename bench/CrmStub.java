// Stub CRM for the dlr-hub benchmark.
// Run from the repository root after the build:
//   java -cp "target/lib/*" bench/CrmStub.java <port>
// Answers 200 to every POST (any path) and counts them; GET /count returns the count as plain text.
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.atomic.AtomicLong;

public class CrmStub {
    public static void main(String[] args) {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18090;
        AtomicLong posts = new AtomicLong();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(req -> {
                    if (req.method() == HttpMethod.POST) {
                        // read the whole body before answering, as a real receiver would
                        req.body().onComplete(ar -> {
                            if (ar.succeeded()) {
                                posts.incrementAndGet();
                                req.response()
                                        .putHeader("Content-Type", "application/json")
                                        .end("{\"ok\":true}");
                            } else {
                                req.response().setStatusCode(400).end();
                            }
                        });
                    } else if (req.method() == HttpMethod.GET && "/count".equals(req.path())) {
                        req.response().putHeader("Content-Type", "text/plain").end(Long.toString(posts.get()));
                    } else {
                        req.response().setStatusCode(404).end();
                    }
                })
                .listen()
                .onSuccess(s -> System.out.println("CrmStub listening on 127.0.0.1:" + s.actualPort()))
                .onFailure(t -> {
                    t.printStackTrace();
                    System.exit(1);
                });
    }
}
