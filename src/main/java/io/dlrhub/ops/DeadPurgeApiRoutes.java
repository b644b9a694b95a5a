package io.dlrhub.ops;

import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.ExactSource;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.retention.RetentionJob;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The explicit purge of dead deliveries (admin token): retention never deletes a dead delivery
 * by itself, since nobody may have looked at it yet.
 * <p>
 * {@code DELETE /api/outbox?state=dead&before=2026-01-01T00:00:00Z[&sink=crm][&limit=10000]}
 * deletes the deliveries that went dead before that time, with their attempts, in short
 * batches; at most {@code limit} (1 to 100,000) per request, {@code "more":true} when there may
 * be more. Their events then follow the retention window like any fully delivered event.
 */
public class DeadPurgeApiRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(DeadPurgeApiRoutes.class);
    private static final int DEFAULT_LIMIT = 10_000;
    private static final int MAX_LIMIT = 100_000;
    private static final int MAX_SINK_NAME = 64;

    /** From retention.RetentionConfiguration. */
    @BeanInject
    RetentionJob job;

    /** Shared by every route of the management port (OpsConfiguration): a console session counts here too. */
    @BeanInject
    AdminAuthenticator admin;

    @Override
    public void configure() throws Exception {
        ManagementApi.secured(
                        from("platform-http:/api/outbox?httpMethodRestrict=DELETE&" + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-outbox-purge-dead"),
                        admin)
                .process(this::purge);
    }

    private void purge(Exchange exchange) {
        String state = ExactSource.queryParam(exchange, "state");
        if (!"dead".equals(state)) {
            throw new IllegalArgumentException("state=dead is required: only dead deliveries are purged by hand"
                    + " (delivered ones go by RETENTION_DAYS, pending ones are never purged)");
        }
        OffsetDateTime before = time(ExactSource.queryParam(exchange, "before"));
        String sink = ExactSource.queryParam(exchange, "sink");
        if (sink != null && (sink.isBlank() || sink.length() > MAX_SINK_NAME)) {
            throw new IllegalArgumentException("sink must be a sink's name");
        }
        int limit = limit(ExactSource.queryParam(exchange, "limit"));
        Map<String, Long> deleted = job.purgeDead(before, sink, limit);
        LOG.info(
                "Purged {} dead deliveries (and {} attempts) that went dead before {}{} through the operations API",
                deleted.get("outbox"),
                deleted.get("delivery_attempt"),
                before,
                sink == null ? "" : " for sink " + sink);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", "dead");
        body.put("before", before.toString());
        body.put("sink", sink);
        body.put("purged", deleted);
        body.put("more", deleted.get("outbox") >= limit);
        JsonAnswer.answer(exchange, 200, EventJson.write(body));
    }

    private static OffsetDateTime time(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("before is required: an ISO-8601 time such as 2026-01-01T00:00:00Z");
        }
        try {
            return OffsetDateTime.parse(raw.trim()).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "before must be an ISO-8601 time with its offset, such as 2026-01-01T00:00:00Z");
        }
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException("limit must be a number from 1 to " + MAX_LIMIT);
    }
}
