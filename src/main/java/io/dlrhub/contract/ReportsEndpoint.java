package io.dlrhub.contract;

import io.dlrhub.event.InvalidEventException;
import java.util.List;
import java.util.Map;
import org.apache.camel.Component;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.DefaultProducer;

/**
 * {@code dlr:reports?field=results}: for providers that send several reports in one request
 * (Infobip). The body becomes the list of reports under that field, for a {@code split} to hand
 * each one to {@code dlr:event}; a request without any report is refused with a 400.
 */
public class ReportsEndpoint extends DefaultEndpoint implements CheckedEndpoint {

    private String field;

    ReportsEndpoint(String uri, Component component) {
        super(uri, component);
    }

    @Override
    public void check() {
        if (field == null || field.isBlank()) {
            throw new IllegalArgumentException(
                    "dlr:reports needs field: the request field that holds the list of reports");
        }
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) {
                Object reports = exchange.getMessage().getBody() instanceof Map<?, ?> fields ? fields.get(field) : null;
                if (!(reports instanceof List<?> list) || list.isEmpty()) {
                    throw new InvalidEventException(
                            "invalid_body", field + " is missing or empty: the request carries no delivery report");
                }
                exchange.getMessage().setBody(list);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("dlr:reports can only be sent to");
    }

    public void setField(String field) {
        this.field = field;
    }
}
