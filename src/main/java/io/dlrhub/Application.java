package io.dlrhub;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.LogManager;

/** Starts dlr-hub: camel-main discovers the configuration classes and routes below this package. */
public final class Application {

    /** Beyond camel.main.shutdown-timeout, as Camel's own hook allows beyond it before it gives up. */
    private static final long EXTRA_SHUTDOWN_SECONDS = 15;

    private Application() {}

    public static void main(String... args) throws Exception {
        Main main = create();
        CountDownLatch logFlushed = new CountDownLatch(1);
        // On SIGTERM the JVM halts as soon as every shutdown hook has returned. Camel's hook returns
        // once the context is stopped, while this thread may still be writing the last lines
        // ("shutdown in ...") and the async appender may still hold them: seen lost under load. This
        // hook holds the JVM until the finally below has flushed them (or the same bound Camel uses).
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> awaitQuietly(logFlushed, main.configure().getShutdownTimeout() + EXTRA_SHUTDOWN_SECONDS),
                        "dlrhub-flush-log-at-exit"));
        try {
            main.run(args);
        } finally {
            // log4j2.properties turns Log4j's own shutdown hook off: its queued lines are written now,
            // after Camel's last one
            LogManager.shutdown();
            logFlushed.countDown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch, long seconds) {
        try {
            latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The service as {@code main} runs it (the tests start this same Main in-process). */
    public static Main create() {
        Main main = new Main(Application.class);
        main.addMainListener(new RoutesDirectory());
        return main;
    }
}
