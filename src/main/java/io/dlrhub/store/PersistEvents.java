package io.dlrhub.store;

import io.dlrhub.event.CanonicalEvent;
import io.dlrhub.event.RequestEvents;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * The step behind {@code direct:persist-events}: hands the request's events ({@link RequestEvents})
 * to the group commit as one unit, committed in one transaction, and lets the route go on once it
 * has committed, with one {@link StoreResult} per event in the request's results. On a Vert.x
 * event loop it holds no thread while it waits, and the rest of the route runs back on that event
 * loop, not on the database writer, which goes straight on to the next transaction. On any other
 * thread it simply waits. A request without events goes straight on.
 */
final class PersistEvents extends AsyncProcessorSupport {

    private final GroupCommit store;

    PersistEvents(GroupCommit store) {
        this.store = store;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        RequestEvents request = exchange.getProperty(RequestEvents.PROPERTY, RequestEvents.class);
        List<CanonicalEvent> events = request == null ? List.of() : request.take();
        if (events.isEmpty()) {
            callback.done(true);
            return true;
        }
        Context caller = Vertx.currentContext();
        if (caller == null || !Context.isOnEventLoopThread()) {
            // a thread that may block (a Vert.x worker, a test): wait here, as any synchronous step would
            try {
                StoreRoutes.results(exchange).addAll(store.storeAll(events));
            } catch (RuntimeException e) {
                exchange.setException(e);
            }
            callback.done(true);
            return true;
        }
        store.submitAll(events).whenComplete((results, failure) -> {
            if (failure == null) {
                StoreRoutes.results(exchange).addAll(results);
            } else {
                exchange.setException(
                        failure instanceof CompletionException wrapped && wrapped.getCause() != null
                                ? wrapped.getCause()
                                : failure);
            }
            caller.runOnContext(ignored -> callback.done(false));
        });
        return false;
    }
}
