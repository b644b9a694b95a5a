package io.dlrhub.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:persist-events}: commits the request's canonical events (what {@code dlr:event}
 * made, {@link io.dlrhub.event.RequestEvents}) through the group commit, all in one transaction,
 * and adds one {@link StoreResult} per event to the request's results (accepted or duplicate).
 */
public class StoreRoutes extends RouteBuilder {

    /**
     * Exchange property holding the list of {@link StoreResult}s of one request, in the order of
     * its events.
     */
    public static final String RESULTS = "dlrResults";

    /** From the composition root (app.CoreConfiguration). */
    @BeanInject
    GroupCommit groupCommit;

    @Override
    public void configure() {
        from("direct:persist-events").routeId("persist-events").process(new PersistEvents(groupCommit));
    }

    /** The results of this request so far; webhook-ingress creates the list before calling the adapter. */
    @SuppressWarnings("unchecked")
    public static List<StoreResult> results(Exchange exchange) {
        List<StoreResult> results = exchange.getProperty(RESULTS, List.class);
        if (results == null) {
            results = new CopyOnWriteArrayList<>();
            exchange.setProperty(RESULTS, results);
        }
        return results;
    }
}
