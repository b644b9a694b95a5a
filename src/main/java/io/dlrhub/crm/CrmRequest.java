package io.dlrhub.crm;

import io.dlrhub.auth.StandardWebhooks;
import io.dlrhub.outbox.SinkHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.component.http.HttpMethods;

/**
 * Prepares the CRM call (used by routes/sink-crm.camel.yaml): the message leaves with exactly
 * these headers and no other, so nothing a provider sent can steer or leak into the call.
 * <ul>
 *   <li>{@code Content-Type: application/json} and {@code Idempotency-Key: <event_id>}</li>
 *   <li>{@code Authorization: Bearer <CRM_TOKEN>} when a token is set</li>
 *   <li>{@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature} (Standard Webhooks)
 *       when {@code CRM_SIGNING_SECRET} is set, so the CRM can verify the call came from us</li>
 * </ul>
 */
public class CrmRequest {

    private final String token;
    private final StandardWebhooks signer;
    private final Clock clock;

    public CrmRequest(String token, String signingSecret, Clock clock) {
        this.token = token == null || token.isBlank() ? null : token;
        this.signer = signingSecret == null || signingSecret.isBlank()
                ? null
                : new StandardWebhooks(List.of(signingSecret), clock, Duration.ofMinutes(5));
        this.clock = clock;
    }

    public void prepare(Exchange exchange) {
        String eventId = exchange.getMessage().getHeader(SinkHeaders.EVENT_ID, String.class);
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().getHeaders().clear();
        // the enum itself: as the text "POST", camel-http looks up a type converter on every call
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setHeader("Idempotency-Key", eventId);
        if (token != null) {
            exchange.getMessage().setHeader("Authorization", "Bearer " + token);
        }
        if (signer != null) {
            long timestamp = clock.instant().getEpochSecond();
            exchange.getMessage().setHeader("webhook-id", eventId);
            exchange.getMessage().setHeader("webhook-timestamp", String.valueOf(timestamp));
            exchange.getMessage()
                    .setHeader(
                            "webhook-signature",
                            signer.sign(eventId, timestamp, body.getBytes(StandardCharsets.UTF_8)));
        }
        exchange.getMessage().setBody(body);
    }
}
