package io.dlrhub.store;

import io.dlrhub.event.CanonicalEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletionException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * The step behind {@code direct:persist-event}: hands the event to the group commit and lets the
 * route go on once its transaction has committed. On a Vert.x event loop it holds no thread while
 * it waits, and the rest of the route runs back on that event loop, not on the database writer,
 * which goes straight on to the next transaction. On any other thread it simply waits.
 */
final class PersistEvent extends AsyncProcessorSupport {

    private final GroupCommit store;

    PersistEvent(GroupCommit store) {
        this.store = store;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        CanonicalEvent event;
        try {
            event = exchange.getMessage().getMandatoryBody(CanonicalEvent.class);
        } catch (InvalidPayloadException e) {
            exchange.setException(e);
            callback.done(true);
            return true;
        }
        Context caller = Vertx.currentContext();
        if (caller == null || !Context.isOnEventLoopThread()) {
            // a thread that may block (a Vert.x worker, a test): wait here, as any synchronous step would
            try {
                StoreRoutes.results(exchange).add(store.store(event));
            } catch (RuntimeException e) {
                exchange.setException(e);
            }
            callback.done(true);
            return true;
        }
        store.submit(event).whenComplete((result, failure) -> {
            if (failure == null) {
                StoreRoutes.results(exchange).add(result);
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
