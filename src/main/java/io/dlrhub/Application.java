package io.dlrhub;

import org.apache.camel.main.Main;
import org.apache.logging.log4j.LogManager;

/** Starts dlr-hub: camel-main discovers the configuration classes and routes below this package. */
public final class Application {

    private Application() {}

    public static void main(String... args) throws Exception {
        try {
            create().run(args);
        } finally {
            // log4j2.properties turns Log4j's own shutdown hook off: its queued lines are written now,
            // after Camel's last one
            LogManager.shutdown();
        }
    }

    /** The service as {@code main} runs it (the tests start this same Main in-process). */
    public static Main create() {
        Main main = new Main(Application.class);
        main.addMainListener(new RoutesDirectory());
        return main;
    }
}
