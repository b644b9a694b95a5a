package io.dlrhub;

import org.apache.camel.main.Main;

/** Starts dlr-hub: camel-main discovers the configuration classes and routes below this package. */
public final class Application {

    private Application() {}

    public static void main(String... args) throws Exception {
        create().run(args);
    }

    /** The service as {@code main} runs it (the tests start this same Main in-process). */
    public static Main create() {
        Main main = new Main(Application.class);
        main.addMainListener(new RoutesDirectory());
        return main;
    }
}
