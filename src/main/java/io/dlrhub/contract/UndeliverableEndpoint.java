package io.dlrhub.contract;

import io.dlrhub.outbox.PermanentDeliveryException;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code dlr:undeliverable?reason=...}: a sink route gives a delivery up for good (the receiver
 * refused the event as invalid, retrying cannot help). The delivery is dead at once, listed in
 * the operations API with the reason, and can be replayed.
 */
public class UndeliverableEndpoint extends DefaultEndpoint implements CheckedEndpoint {

    private String reason;

    UndeliverableEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    public void check() {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("dlr:undeliverable needs a reason (shown with the dead delivery)");
        }
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                throw new PermanentDeliveryException(reason);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("dlr:undeliverable can only be sent to");
    }

    public void setReason(String reason) {
        this.reason = reason;
    }
}
