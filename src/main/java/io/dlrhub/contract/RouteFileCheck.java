package io.dlrhub.contract;

import io.dlrhub.Settings;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.ModelLifecycleStrategySupport;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;

/**
 * Creates every {@code dlr:} endpoint of a route as soon as the route is read from its file, at
 * start and before a reload (ROUTES_RELOAD, {@link CheckedRouteReload}), so a misspelt or missing
 * parameter is refused naming the file and line (Camel's own message names only the route).
 * Camel keeps each step's place in its file because application.properties sets
 * {@code camel.main.source-location-enabled}.
 */
public class RouteFileCheck extends ModelLifecycleStrategySupport implements CamelConfiguration {

    private CamelContext context;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        this.context = camelContext;
        camelContext.getCamelContextExtension().getContextPlugin(Model.class).addModelLifecycleStrategy(this);
        Settings settings = new Settings(camelContext);
        if (settings.getBoolean("routes.reload", false)) {
            camelContext.addService(new CheckedRouteReload(settings.required("routes.dir"), this));
        }
    }

    /** Reads a saved route file into routes without adding them, and checks each one. */
    void checkFile(Resource file) throws Exception {
        for (RoutesBuilder builder : PluginHelper.getRoutesLoader(context).findRoutesBuilders(file)) {
            if (builder instanceof RouteBuilder routes) {
                routes.setCamelContext(context);
                routes.configure();
                routes.getRouteCollection().getRoutes().forEach(this::onAddRouteDefinition);
            }
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void onAddRouteDefinition(RouteDefinition route) {
        for (SendDefinition step :
                ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SendDefinition.class)) {
            String uri = step.getEndpointUri();
            if (uri == null || !uri.startsWith("dlr:")) {
                continue;
            }
            try {
                context.getEndpoint(uri);
            } catch (RuntimeException e) {
                throw new RouteFileException(place(step.getLocation(), step.getLineNumber(), route), e);
            }
        }
    }

    private static String place(String location, int line, RouteDefinition route) {
        String file = location == null ? "route " + route.getRouteId() : location.replaceFirst("^file:", "");
        return line > 0 ? file + " line " + line : file;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
