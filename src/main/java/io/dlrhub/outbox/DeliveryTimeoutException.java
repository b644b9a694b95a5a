package io.dlrhub.outbox;

import java.time.Duration;

/** A sink did not finish one delivery within its timeout: a failed attempt like any other, retried later. */
public class DeliveryTimeoutException extends RuntimeException {

    DeliveryTimeoutException(String sink, Duration timeout) {
        super("sink " + sink + " did not finish the delivery within " + timeout.toMillis() + " ms");
    }
}
