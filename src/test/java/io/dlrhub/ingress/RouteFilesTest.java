package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/** Every route file an engineer may edit in routes/ parses, names its routes, and runs in the service. */
class RouteFilesTest extends CamelTestSupport {

    @Test
    void everyRouteFileParsesAndNamesEachRoute() throws Exception {
        for (Path file : routeFiles()) {
            List<RouteDefinition> routes = definitions(file);
            assertThat(routes).as(file + " defines routes").isNotEmpty();
            assertThat(routes)
                    .as(file + " gives every route an explicit id")
                    .allSatisfy(route -> assertThat(route.hasCustomIdAssigned()).isTrue());
        }
    }

    @Test
    void everyRouteOfEveryFileIsStartedByTheService() throws Exception {
        List<String> ids = new ArrayList<>();
        for (Path file : routeFiles()) {
            definitions(file).forEach(route -> ids.add(route.getId()));
        }
        assertThat(ids).contains("provider-smsby", "sink-crm", "sink-alert");
        try (RunningHub hub = RunningHub.start(TestDatabase.h2InMemory(), Map.of("smsby.tokens", "tok"))) {
            for (String id : ids) {
                assertThat(hub.context().getRouteController().getRouteStatus(id))
                        .as(id)
                        .isEqualTo(ServiceStatus.Started);
            }
        }
    }

    private List<RouteDefinition> definitions(Path file) throws Exception {
        List<RouteDefinition> routes = new ArrayList<>();
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context)
                .findRoutesBuilders(ResourceHelper.resolveResource(context, "file:" + file))) {
            RouteBuilder routeBuilder = (RouteBuilder) builder;
            routeBuilder.setCamelContext(context);
            routeBuilder.configure();
            routes.addAll(routeBuilder.getRouteCollection().getRoutes());
        }
        return routes;
    }

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<Path> list = files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml"))
                    .sorted()
                    .toList();
            assertThat(list).isNotEmpty();
            return list;
        }
    }
}
