package io.dlrhub.contract;

import io.dlrhub.event.InvalidEventException;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code dlr:reject?field=MessageStatus&message=is not a Twilio status word}: the webhook is not
 * what the provider sends; it is answered 400 {@code invalid_field} (or {@code invalid_body}
 * without a field) with the message, and nothing is stored.
 */
public class RejectEndpoint extends DefaultEndpoint implements CheckedEndpoint {

    private String field;
    private String message;

    RejectEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    public void check() {
        if (message == null || message.isBlank()) {
            throw new IllegalArgumentException("dlr:reject needs a message saying what is wrong with the webhook");
        }
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(org.apache.camel.Exchange exchange) {
                throw field == null || field.isBlank()
                        ? new InvalidEventException("invalid_body", message)
                        : InvalidEventException.invalid(field, message);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("dlr:reject can only be sent to");
    }

    /** The provider's field that is wrong; it starts the message ("MessageStatus is not ..."). */
    public void setField(String field) {
        this.field = field;
    }

    /** What is wrong, for the provider's support to read (no request values: they are never echoed). */
    public void setMessage(String message) {
        this.message = message;
    }
}
