package io.dlrhub.event;

/**
 * The provider-independent delivery status. The rank orders them for message_status:
 * a webhook with a lower rank than the current status is kept in the timeline but never
 * moves the message backwards (late or out-of-order deliveries are common).
 */
public enum CanonicalStatus {
    UNKNOWN(0),
    QUEUED(1),
    SENT(2),
    DELIVERED(3),
    FAILED(3),
    READ(4);

    private final int rank;

    CanonicalStatus(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    /** True when a message now at {@code current} should move to this status. */
    public boolean supersedes(CanonicalStatus current) {
        return rank > current.rank;
    }
}
