package io.dlrhub;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;

/**
 * Finds the route files before Camel reads them. A relative {@code routes.dir} (default
 * {@code routes}) is looked up in the working directory first, then in the installation (the
 * folder that holds {@code target/dlr-hub.jar}, or the project when run from its classes), so
 * {@code java -jar /opt/dlr-hub/target/dlr-hub.jar} works from any folder. Where neither has it,
 * the start stops with a sentence that names the setting, not Camel's bare
 * {@code NoSuchFileException: routes}.
 */
final class RoutesDirectory extends MainListenerSupport {

    static final String KEY = "routes.dir";

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent properties = main.getCamelContext().getPropertiesComponent();
        String configured = properties
                .resolveProperty(KEY)
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .orElse("routes");
        Path found = locate(Path.of(configured), installation());
        // every placeholder that names the folder ({{routes.dir}}) now reads the absolute path
        properties.addOverrideProperty(KEY, found.toString());
    }

    static Path locate(Path configured, Path installation) {
        if (Files.isDirectory(configured)) {
            return configured.toAbsolutePath().normalize();
        }
        if (!configured.isAbsolute() && installation != null && Files.isDirectory(installation.resolve(configured))) {
            return installation.resolve(configured).normalize();
        }
        throw new IllegalStateException("The route files folder '" + configured + "' does not exist"
                + (configured.isAbsolute() || installation == null
                        ? ""
                        : " in the working directory (" + Path.of("").toAbsolutePath() + ") nor in the installation ("
                                + installation + ")")
                + ": set ROUTES_DIR (routes.dir) to the folder that holds the *.camel.yaml files");
    }

    /** target/dlr-hub.jar → its project folder; target/classes (tests, IDE) → the same folder. */
    private static Path installation() {
        try {
            Path code = Path.of(RoutesDirectory.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path target = code.getParent();
            return target == null ? null : target.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
