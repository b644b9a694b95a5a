package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.camel.Route;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/** Every route file an engineer may edit in routes/ parses and gives each route an explicit id. */
class RouteFilesTest extends CamelTestSupport {

    @Test
    void everyRouteFileLoadsWithExplicitRouteIds() throws Exception {
        List<Path> files = routeFiles();
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            int before = context.getRoutes().size();
            PluginHelper.getRoutesLoader(context)
                    .loadRoutes(ResourceHelper.resolveResource(context, "file:" + file));
            List<Route> added = context.getRoutes().subList(before, context.getRoutes().size());
            assertThat(added).as(file + " defines routes").isNotEmpty();
            assertThat(added).as(file + " names every route").allSatisfy(route ->
                    assertThat(route.getRouteId()).doesNotStartWith("route"));
        }
        assertThat(context.getRoute("provider-smsby")).isNotNull();
    }

    private static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }
}
