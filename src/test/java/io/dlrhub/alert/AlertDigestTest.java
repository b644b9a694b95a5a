package io.dlrhub.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertDigestTest {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final AlertDigest digest = new AlertDigest(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private static Map<String, Object> event(String provider, String messageId) {
        Map<String, Object> event = new HashMap<>();
        event.put("event_id", "evt-" + messageId);
        event.put("provider", provider);
        event.put("channel", "sms");
        event.put("message_id", messageId);
        event.put("status", "FAILED");
        event.put("provider_status", "UNDELIV");
        event.put("error_code", "E42");
        event.put("occurred_at", "2024-05-01T10:00:00Z");
        event.put("received_at", "2024-05-01T10:00:05Z");
        event.put("note", null);
        return event;
    }

    private static Map<String, Object> dead(String provider, String messageId, String note) {
        Map<String, Object> event = event(provider, messageId);
        event.put("note", note);
        return event;
    }

    @SafeVarargs
    private Exchange compose(Map<String, Object>... items) throws Exception {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(new ArrayList<>(List.of(items)));
        exchange.getMessage().setHeader("CamelHttpUri", "https://crm.example/?token=abc");
        exchange.getMessage().setHeader("To", "someone@example.org");
        digest.compose(exchange);
        return exchange;
    }

    private static String subject(Exchange exchange) {
        return exchange.getMessage().getHeader(AlertDigest.SUBJECT, String.class);
    }

    private static String body(Exchange exchange) {
        return exchange.getMessage().getBody(String.class);
    }

    @Test
    void theSubjectOfOneFailureSaysOneDeliveryAndNamesItsProvider() throws Exception {
        Exchange exchange = compose(event("twilio", "m1"));

        assertThat(subject(exchange))
                .contains("1 failed delivery")
                .doesNotContain("deliveries")
                .contains("(twilio)");
    }

    @Test
    void subjectCountsFailuresAndListsProvidersSortedAndDistinct() throws Exception {
        Exchange exchange = compose(event("vonage", "m1"), event("smsby", "m2"), event("vonage", "m3"));

        assertThat(subject(exchange)).contains("3 failed deliveries").contains("(smsby, vonage)");
    }

    @Test
    void deadSinkDeliveriesAreCountedAndListedSeparately() throws Exception {
        Exchange exchange = compose(
                event("twilio", "m1"),
                dead("smsby", "m2", "crm: HTTP 404 Not Found"),
                dead("smsby", "m3", "crm: HTTP 400 Bad Request"));

        assertThat(subject(exchange))
                .contains("1 failed delivery")
                .contains("2 dead sink deliveries")
                .contains("(smsby, twilio)");
        String body = body(exchange);
        int deadSection = body.indexOf("Deliveries to sinks that gave up");
        assertThat(deadSection).isPositive();
        assertThat(body.indexOf("message_id=m1")).isBetween(0, deadSection);
        assertThat(body.indexOf("message_id=m2")).isGreaterThan(deadSection);
        assertThat(body.indexOf("message_id=m3")).isGreaterThan(deadSection);
        assertThat(body).contains("crm: HTTP 404 Not Found").contains("crm: HTTP 400 Bad Request");
    }

    @Test
    void aDigestOfOnlyDeadSinkDeliveriesCountsThemAndListsNoFailedMessages() throws Exception {
        Exchange exchange = compose(dead("smsby", "m2", "alert: gave up"));

        assertThat(subject(exchange)).contains("1 dead sink delivery").doesNotContain("failed deliver");
        assertThat(body(exchange))
                .doesNotContain("Messages whose delivery failed")
                .contains("alert: gave up");
    }

    @Test
    void bodyHasOneLinePerFailureWithItsFields() throws Exception {
        Map<String, Object> withoutCode = event("vonage", "m2");
        withoutCode.put("error_code", null);
        withoutCode.put("occurred_at", null);
        Exchange exchange = compose(event("twilio", "m1"), withoutCode);

        List<String> lines =
                body(exchange).lines().filter(l -> l.startsWith("provider=")).toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .contains(
                        "provider=twilio",
                        "channel=sms",
                        "message_id=m1",
                        "provider_status=UNDELIV",
                        "error_code=E42",
                        "time=2024-05-01T10:00:00Z");
        assertThat(lines.get(1))
                .contains("provider=vonage", "message_id=m2", "error_code=-", "time=2024-05-01T10:00:05Z");
    }

    @Test
    void onlyTheSubjectHeaderRemainsAndTheCountIsAProperty() throws Exception {
        Exchange exchange = compose(event("twilio", "m1"), dead("smsby", "m2", "note"));

        assertThat(exchange.getMessage().getHeaders()).containsOnlyKeys("Subject");
        assertThat(exchange.getProperty("DlrDigestCount", Integer.class)).isEqualTo(2);
    }

    @Test
    void injectedLineBreaksCannotAddHeadersOrLines() throws Exception {
        String injection = "x\r\nBcc: evil@example.org";
        Exchange exchange = compose(
                event("twilio\r\nBcc: evil@example.org", injection),
                dead("smsby", "m2", "gave up" + "\r\nBcc: evil@example.org"));

        assertThat(subject(exchange)).doesNotContain("\r").doesNotContain("\n");
        assertThat(body(exchange).lines()).noneMatch(l -> l.stripLeading().startsWith("Bcc:"));
        assertThat(exchange.getMessage().getHeaders()).doesNotContainKey("Bcc");
    }
}
