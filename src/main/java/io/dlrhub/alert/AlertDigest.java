package io.dlrhub.alert;

import io.dlrhub.Metrics;
import io.dlrhub.outbox.SinkHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/**
 * Turns a digest (the list of events the alert sink received at once) into one plain-text
 * e-mail: a subject with the count and providers, a body with one line per failure. Values are
 * data in the body; the only header set is Subject, built from the count and provider names:
 * camel-mail turns message headers into mail headers, so anything else (the count too) is kept
 * in exchange properties.
 */
public class AlertDigest {

    public static final String SUBJECT = "Subject";
    private final MeterRegistry metrics;

    public AlertDigest(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** Called by the alert route once the mail server took the e-mail. */
    public void mailed() {
        Metrics.alertEmail(metrics);
    }

    public void compose(Exchange exchange) throws InvalidPayloadException {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = exchange.getMessage().getMandatoryBody(List.class);
        long failures = items.stream().filter(i -> i.get("note") == null).count();
        long dead = items.size() - failures;
        TreeSet<String> providers = new TreeSet<>();
        items.forEach(i -> providers.add(String.valueOf(i.get("provider"))));

        StringBuilder subject = new StringBuilder("[dlr-hub] ");
        if (failures > 0) {
            subject.append(failures).append(failures == 1 ? " failed delivery" : " failed deliveries");
        }
        if (dead > 0) {
            subject.append(failures > 0 ? ", " : "")
                    .append(dead)
                    .append(dead == 1 ? " dead sink delivery" : " dead sink deliveries");
        }
        subject.append(" (").append(String.join(", ", providers)).append(')');

        StringBuilder body = new StringBuilder();
        if (failures > 0) {
            body.append("Messages whose delivery failed:\n\n");
            items.stream()
                    .filter(i -> i.get("note") == null)
                    .forEach(i -> body.append(line(i)).append('\n'));
        }
        if (dead > 0) {
            body.append(failures > 0 ? "\n" : "")
                    .append("Deliveries to sinks that gave up (see GET /api/outbox?state=dead):\n\n");
            items.stream()
                    .filter(i -> i.get("note") != null)
                    .forEach(i -> body.append(line(i))
                            .append("\n    ")
                            .append(clean(i.get("note")))
                            .append('\n'));
        }
        exchange.getMessage().getHeaders().clear();
        exchange.getMessage().setHeader(SUBJECT, clean(subject.toString()));
        exchange.setProperty(SinkHeaders.DIGEST_COUNT, items.size());
        exchange.getMessage().setBody(body.toString());
    }

    private static String line(Map<String, Object> item) {
        Object time = item.get("occurred_at") != null ? item.get("occurred_at") : item.get("received_at");
        return "provider=" + clean(item.get("provider"))
                + " channel=" + clean(item.get("channel"))
                + " message_id=" + clean(item.get("message_id"))
                + " provider_status=" + clean(item.get("provider_status"))
                + " error_code=" + clean(item.get("error_code"))
                + " time=" + clean(time)
                + " event_id=" + clean(item.get("event_id"));
    }

    /** No value can start a new line (or header) of the mail. */
    private static String clean(Object value) {
        return value == null ? "-" : value.toString().replaceAll("[\\p{Cntrl}]", " ");
    }
}
