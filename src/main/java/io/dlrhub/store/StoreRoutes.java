package io.dlrhub.store;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code direct:persist-event}: commits the canonical event in the body through the group commit
 * and adds its {@link StoreResult} to the request's results (accepted or duplicate).
 */
public class StoreRoutes extends RouteBuilder {

    /**
     * Exchange property holding the list of {@link StoreResult}s of one request. A property, not a
     * variable, because a split (one request carrying many reports) shares it with its parts.
     */
    public static final String RESULTS = "dlrResults";

    /** From the composition root (app.CoreConfiguration). */
    @BeanInject
    GroupCommit groupCommit;

    @Override
    public void configure() {
        from("direct:persist-event").routeId("persist-event").process(new PersistEvent(groupCommit));
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
