package io.dlrhub.event;

import java.util.ArrayList;
import java.util.List;

/**
 * The canonical events one webhook request carries, in the order {@code dlr:event} made them:
 * one for most providers, one per report for a provider that sends many in one request
 * (Infobip). webhook-ingress commits them together, in one transaction, once the adapter route
 * has finished, and only then answers: one wait per request, not one per report.
 * <p>
 * Kept in an exchange property (not a variable) because a {@code split}'s parts are copies of the
 * request's exchange that share its properties' values, so each part adds to the same list.
 */
public final class RequestEvents {

    public static final String PROPERTY = "dlrRequestEvents";

    private final List<CanonicalEvent> events = new ArrayList<>();

    /** Synchronized: a split with {@code parallelProcessing} adds from several threads. */
    public synchronized void add(CanonicalEvent event) {
        events.add(event);
    }

    /** The events added so far, in order; they are handed over once (a second call returns none). */
    public synchronized List<CanonicalEvent> take() {
        List<CanonicalEvent> taken = List.copyOf(events);
        events.clear();
        return taken;
    }
}
