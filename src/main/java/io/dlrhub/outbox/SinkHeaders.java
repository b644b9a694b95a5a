package io.dlrhub.outbox;

/**
 * The contract between the outbox and a sink route ({@code direct:sink-<name>}): the body is the
 * canonical event JSON (a digest sink: a list of event maps), and these headers describe it.
 * Sinks written in Java read the names from here, not from the dispatcher.
 */
public final class SinkHeaders {

    /** The event id: use it as the receiver's idempotency key. */
    public static final String EVENT_ID = "DlrEventId";
    /** The outbox row being delivered. */
    public static final String OUTBOX_ID = "DlrOutboxId";
    /** The sink's name (the part after {@code direct:sink-}). */
    public static final String SINK = "DlrSink";
    /** 1 for the first try. */
    public static final String ATTEMPT = "DlrAttempt";
    /** For the alert sink: why it is told about another sink's delivery. */
    public static final String NOTE = "DlrNote";
    /** A digest sink: how many events the list holds. */
    public static final String DIGEST_COUNT = "DlrDigestCount";

    private SinkHeaders() {}
}
