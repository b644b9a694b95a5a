package io.dlrhub.outbox;

/**
 * Thrown by a sink route when retrying cannot help (the receiver refused the event as invalid):
 * the delivery is dead at once instead of being retried.
 */
public class PermanentDeliveryException extends RuntimeException {

    public PermanentDeliveryException(String message) {
        super(message);
    }
}
