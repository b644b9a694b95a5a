package io.dlrhub;

import org.apache.camel.main.Main;

/** Starts dlr-hub: camel-main discovers the configuration classes and routes below this package. */
public final class Application {

    private Application() {
    }

    public static void main(String... args) throws Exception {
        new Main(Application.class).run(args);
    }
}
