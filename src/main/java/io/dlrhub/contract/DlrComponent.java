package io.dlrhub.contract;

import io.dlrhub.Settings;
import io.dlrhub.event.EventFactory;
import io.dlrhub.event.StatusMappings;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code dlr:} endpoints, the whole of what a route file needs from dlr-hub besides the
 * request guards: {@code dlr:event} (an adapter hands over its webhook), {@code dlr:reject} (an
 * adapter refuses a webhook with a 400) and {@code dlr:undeliverable} (a sink gives a delivery up
 * for good). Their parameters are declared as endpoint options, so Camel refuses a misspelt or
 * missing one when the route is created, at start or at a reload, naming the route file and line.
 * See routes/README.md.
 */
public class DlrComponent extends DefaultComponent {

    private StatusMappings statusMappings;
    private EventFactory events;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Endpoint endpoint = switch (remaining) {
            case "event" -> new EventEndpoint(uri, this);
            case "reports" -> new ReportsEndpoint(uri, this);
            case "reject" -> new RejectEndpoint(uri, this);
            case "undeliverable" -> new UndeliverableEndpoint(uri, this);
            default ->
                throw new IllegalArgumentException(
                        "dlr:" + remaining
                                + " is not a dlr-hub endpoint: use dlr:event, dlr:reports, dlr:reject or dlr:undeliverable (routes/README.md)");
        };
        setProperties(endpoint, parameters);
        if (!parameters.isEmpty()) {
            // Camel would say this too, but only after the checks below had complained of the missing one
            throw new IllegalArgumentException(
                    "dlr:" + remaining + " has no parameter " + String.join(", ", parameters.keySet())
                            + " (routes/README.md lists the parameters of each dlr: endpoint)");
        }
        // checked here, while Camel creates the route: a broken step is refused with its file and line
        ((CheckedEndpoint) endpoint).check();
        return endpoint;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        statusMappings =
                new StatusMappings(Path.of(new Settings(getCamelContext()).get("mappings.dir", "routes/mappings")));
        events = new EventFactory(statusMappings);
    }

    StatusMappings statusMappings() {
        return statusMappings;
    }

    EventFactory events() {
        return events;
    }
}
