package io.dlrhub.ingress;

import io.dlrhub.Metrics;
import io.dlrhub.auth.ForbiddenException;
import io.dlrhub.auth.UnauthenticatedException;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.event.EventJson;
import io.dlrhub.event.InvalidEventException;
import io.dlrhub.event.WebhookVariables;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.store.StoreResult;
import io.dlrhub.store.StoreRoutes;
import io.dlrhub.store.StoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the answer to the provider and the matching event-log line. */
final class WebhookReplies {

    static final String PROVIDER = WebhookVariables.PROVIDER;
    static final String REMOTE = "dlrRemote";
    static final String KNOWN_PROVIDER = "dlrKnownProvider";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookReplies.class);

    private WebhookReplies() {}

    /** Remembers who called before the request headers are cleared. */
    static void rememberCaller(Exchange exchange) {
        WebhookRequest request = exchange.getProperty(WebhookRequest.PROPERTY, WebhookRequest.class);
        exchange.setVariable(REMOTE, request == null ? null : request.remote());
    }

    /**
     * 200 once every event of the request is committed: {"status":"accepted"|"duplicate","event_id":…};
     * a request that carried several reports also lists each one under "events".
     */
    static void accepted(Exchange exchange, MeterRegistry metrics) {
        List<StoreResult> results = StoreRoutes.results(exchange);
        if (results.isEmpty()) {
            // the provider sent nothing to store (an empty or null report); if this is every request,
            // the adapter route does not end in dlr:event
            LOG.warn("A webhook of provider {} carried no delivery report", exchange.getVariable(PROVIDER));
            throw new InvalidEventException("invalid_body", "the request carries no delivery report");
        }
        boolean anyNew = results.stream().anyMatch(r -> !r.duplicate());
        String status = anyNew ? "accepted" : "duplicate";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("event_id", results.get(0).eventId().toString());
        if (results.size() > 1) {
            body.put(
                    "events",
                    results.stream()
                            .map(r -> Map.of(
                                    "status",
                                    r.duplicate() ? "duplicate" : "accepted",
                                    "event_id",
                                    r.eventId().toString()))
                            .toList());
        }
        JsonAnswer.answer(exchange, 200, EventJson.write(body));
        record(
                exchange,
                200,
                status,
                null,
                String.join(
                        ",", results.stream().map(r -> r.eventId().toString()).toList()));
        String provider = exchange.getVariable(PROVIDER, String.class);
        Metrics.webhook(metrics, provider, status, null);
        Metrics.ingest(metrics, provider, Duration.ofMillis(exchange.getClock().elapsed()));
    }

    static void refused(Exchange exchange, MeterRegistry metrics) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        int status;
        String code;
        String message;
        if (failure instanceof WebhookRejection rejection) {
            status = rejection.status();
            code = rejection.code();
            message = rejection.getMessage();
            if (!rejection.allow().isEmpty()) {
                JsonAnswer.allow(exchange, String.join(", ", rejection.allow()));
            }
        } else if (failure instanceof UnauthenticatedException) {
            status = 401;
            code = "unauthorized";
            message = failure.getMessage();
        } else if (failure instanceof ForbiddenException) {
            status = 403;
            code = "forbidden";
            message = failure.getMessage();
        } else if (failure instanceof InvalidEventException invalid) {
            status = 400;
            code = invalid.code();
            message = invalid.getMessage();
        } else if (failure instanceof StoreUnavailableException) {
            LOG.warn("Webhook answered 503, the database is unavailable: {}", failure.getMessage());
            status = 503;
            code = "unavailable";
            message = "the event could not be confirmed as stored; retry later (a repeat is answered duplicate)";
            JsonAnswer.retryAfter(exchange, "5");
        } else {
            LOG.error("Webhook of provider {} failed", exchange.getVariable(PROVIDER), failure);
            status = 500;
            code = "internal_error";
            message = "the webhook could not be processed; nothing was accepted";
        }
        JsonAnswer.error(exchange, status, code, message);
        record(exchange, status, "rejected", code, null);
        boolean known = Boolean.TRUE.equals(exchange.getVariable(KNOWN_PROVIDER, Boolean.class));
        Metrics.webhook(metrics, known ? exchange.getVariable(PROVIDER, String.class) : "-", "rejected", code);
    }

    private static void record(Exchange exchange, int status, String result, String reason, String eventId) {
        EventLog.record(
                exchange.getVariable(PROVIDER, String.class),
                status,
                result,
                reason,
                exchange.getVariable(REMOTE, String.class),
                eventId);
    }
}
