package io.dlrhub.contract;

import java.util.Collection;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ROUTES_RELOAD: Camel's route file watcher, with one change. Camel removes a file's routes before
 * it creates them again from the saved text, so a save that cannot become routes (a misspelt
 * {@code dlr:event} parameter, a broken mapping file) would leave the provider without an adapter.
 * Here the saved file is read and checked first; a broken save is refused, named with its line,
 * and the last good routes go on serving.
 */
class CheckedRouteReload extends RouteWatcherReloadStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(CheckedRouteReload.class);

    private final RouteFileCheck check;

    CheckedRouteReload(String directory, RouteFileCheck check) {
        super(directory, false);
        this.check = check;
        setPattern("*.camel.yaml");
        // the Java routes have no file to come back from
        setRemoveAllRoutes(false);
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        for (Resource resource : resources) {
            try {
                if (resource.exists() && !isEmpty(resource)) {
                    check.checkFile(resource);
                }
            } catch (Exception broken) {
                // a YAML syntax error's own message names the line; ours names the file and line
                LOG.error(
                        "The edit of {} is refused, the last good routes stay in use: {}",
                        resource.getLocation(),
                        broken instanceof RouteFileException
                                ? broken.getMessage()
                                : RouteFileCheck.rootMessage(broken));
                return;
            }
        }
        super.onRouteReload(resources, removeEverything);
    }

    /** An editor that writes in place first truncates the file: Camel warns about the empty file itself. */
    private static boolean isEmpty(Resource resource) throws Exception {
        try (var in = resource.getInputStream()) {
            return in.read() < 0;
        }
    }
}
