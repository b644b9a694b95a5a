package io.dlrhub.ops;

import io.dlrhub.SettingValues;
import io.dlrhub.Settings;
import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.ExactSource;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.outbox.BulkJob;
import io.dlrhub.outbox.BulkJobs;
import io.dlrhub.outbox.BulkRequests;
import io.dlrhub.outbox.SinkSettings;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.store.EventSearch;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk replays and backfills on the management port (admin token), see docs/api.md. Each job is
 * recorded (who, when, how many) and worked in the background by every instance, throttled
 * ({@code replay.rate-per-second}, {@code backfill.rate-per-second}); see {@link BulkJobs}.
 * <ul>
 *   <li>{@code POST /api/replays} {@code {"ids":[..]}} or {@code {"filter":{..}}}; {@code GET /api/replays},
 *   {@code GET /api/replays/{id}}, {@code POST /api/replays/{id}/cancel}</li>
 *   <li>{@code POST /api/backfills} {@code {"sink","from","to"}}; {@code GET /api/backfills},
 *   {@code GET /api/backfills/{id}}, {@code POST /api/backfills/{id}/cancel}</li>
 * </ul>
 */
public class BulkJobApiRoutes extends RouteBuilder {

    /** Shared by every route of the management port (OpsConfiguration): a console session counts here too. */
    @BeanInject
    AdminAuthenticator admin;

    private static final Logger LOG = LoggerFactory.getLogger(BulkJobApiRoutes.class);
    static final int MAX_IDS = 1000;
    static final int MAX_RATE = 100_000;
    static final Set<String> FILTER_FIELDS =
            Set.of("sink", "provider", "message_id", "message_id_prefix", "status", "channel", "from", "to");

    /** From the composition root (app.CoreConfiguration); by name: a route file may bind a data source of its own. */
    @BeanInject("dataSource")
    DataSource dataSource;

    /** From the composition root. */
    @BeanInject
    Sinks sinks;

    @Override
    public void configure() throws Exception {
        Settings settings = new Settings(getContext());
        BulkJobs jobs = new BulkJobs(dataSource);
        int replayRate = rate(settings, "replay.rate-per-second", 50);
        int backfillRate = rate(settings, "backfill.rate-per-second", 100);

        for (String kind : List.of(BulkJobs.REPLAY, BulkJobs.BACKFILL)) {
            String base = "/api/" + kind + "s";
            ManagementApi.secured(
                            from("platform-http:" + base + "?httpMethodRestrict=POST&"
                                            + ManagementApi.ON_MANAGEMENT_PORT)
                                    .routeId("api-" + kind + "-create"),
                            admin)
                    .process(exchange -> {
                        ApiQuery.of(exchange, Set.of());
                        BulkJob job = BulkJobs.REPLAY.equals(kind)
                                ? jobs.createReplay(
                                        replayRequest(exchange), AdminAuthenticator.principal(exchange), replayRate)
                                : jobs.createBackfill(
                                        backfillRequest(exchange, sinks),
                                        AdminAuthenticator.principal(exchange),
                                        backfillRate);
                        LOG.info(
                                "Bulk {} {} requested by {}: {} matched",
                                kind,
                                job.id(),
                                job.requestedBy(),
                                job.matched());
                        JsonAnswer.answer(exchange, 202, EventJson.write(job));
                    });
            ManagementApi.secured(
                            from("platform-http:" + base + "?httpMethodRestrict=GET&"
                                            + ManagementApi.ON_MANAGEMENT_PORT)
                                    .routeId("api-" + kind + "-list"),
                            admin)
                    .process(exchange -> {
                        ApiQuery query = ApiQuery.of(exchange, Set.of("limit"));
                        int limit = ApiValues.number("limit", query.get("limit"), 1, 500, 50);
                        JsonAnswer.answer(exchange, 200, EventJson.write(jobs.list(kind, limit)));
                    });
            ManagementApi.secured(
                            from("platform-http:" + base + "/{id}?httpMethodRestrict=GET&"
                                            + ManagementApi.ON_MANAGEMENT_PORT)
                                    .routeId("api-" + kind + "-get"),
                            admin)
                    .process(exchange -> {
                        ApiQuery.of(exchange, Set.of());
                        long id = ApiValues.id("id", ExactSource.pathParam(exchange, "id"));
                        jobs.find(kind, id)
                                .ifPresentOrElse(
                                        job -> JsonAnswer.answer(exchange, 200, EventJson.write(job)),
                                        () -> JsonAnswer.error(
                                                exchange, 404, "not_found", "there is no " + kind + " with id " + id));
                    });
            ManagementApi.secured(
                            from("platform-http:" + base + "/{id}/cancel?httpMethodRestrict=POST&"
                                            + ManagementApi.ON_MANAGEMENT_PORT)
                                    .routeId("api-" + kind + "-cancel"),
                            admin)
                    .process(exchange -> cancel(exchange, jobs, kind));
        }
    }

    private static int rate(Settings settings, String key, int fallback) {
        int rate = settings.getInt(key, fallback);
        if (rate < 1 || rate > MAX_RATE) {
            throw new IllegalStateException(SettingValues.environmentName(key) + " (" + key + ") must be from 1 to "
                    + MAX_RATE + ", got " + rate);
        }
        return rate;
    }

    private static void cancel(Exchange exchange, BulkJobs jobs, String kind) {
        ApiQuery.of(exchange, Set.of());
        long id = ApiValues.id("id", ExactSource.pathParam(exchange, "id"));
        BulkJobs.Cancel cancel = jobs.cancel(kind, id, AdminAuthenticator.principal(exchange));
        switch (cancel.outcome()) {
            case NOT_FOUND -> JsonAnswer.error(exchange, 404, "not_found", "there is no " + kind + " with id " + id);
            case NOT_RUNNING ->
                JsonAnswer.error(
                        exchange,
                        409,
                        "not_running",
                        kind + " " + id + " is " + cancel.job().state() + ", not running");
            case CANCELLED -> {
                LOG.info(
                        "Bulk {} {} cancelled by {} after {} of {}",
                        kind,
                        id,
                        cancel.job().cancelledBy(),
                        cancel.job().replayed(),
                        cancel.job().matched());
                JsonAnswer.answer(exchange, 200, EventJson.write(cancel.job()));
            }
        }
    }

    /** {"ids":[...]} or {"filter":{...}}: exactly one. */
    static BulkRequests.Replay replayRequest(Exchange exchange) {
        JsonBody body = JsonBody.of(exchange, Set.of("ids", "filter"));
        if (body.has("ids") == body.has("filter")) {
            throw new IllegalArgumentException("give ids (delivery ids) or filter, one of them");
        }
        if (body.has("ids")) {
            return new BulkRequests.Replay(body.ids("ids", MAX_IDS), null);
        }
        JsonBody filter = body.object("filter", FILTER_FIELDS);
        String messageId = filter.text("message_id");
        String prefix = filter.text("message_id_prefix");
        ApiValues.oneOf(filter.name("message_id"), messageId, filter.name("message_id_prefix"), prefix);
        OffsetDateTime from = ApiValues.time(filter.name("from"), filter.text("from"));
        OffsetDateTime to = ApiValues.time(filter.name("to"), filter.text("to"));
        ApiValues.range(filter.name("from"), from, filter.name("to"), to);
        return new BulkRequests.Replay(
                null,
                new EventSearch.Filter(
                        filter.text("provider"),
                        messageId,
                        prefix,
                        ApiValues.status(filter.name("status"), filter.text("status")),
                        filter.text("channel"),
                        filter.text("sink"),
                        null,
                        from,
                        to));
    }

    /**
     * {"sink","from","to"}: a sink of this hub that is on; {@code to} defaults to now. The events
     * sent are the ones the sink wants (its SINK_<NAME>_STATUSES), as if it had been there.
     */
    static BulkRequests.Backfill backfillRequest(Exchange exchange, Sinks sinks) {
        JsonBody body = JsonBody.of(exchange, Set.of("sink", "from", "to"));
        String sink = body.text("sink");
        if (sink == null) {
            throw new IllegalArgumentException(
                    "sink is required: the sink to send the events to (" + String.join(", ", sinks.names()) + ")");
        }
        if (!sinks.names().contains(sink)) {
            // named back when it could be one (a sink name is a route name), so a typo is seen at once
            String named = sink.length() <= 64 && sink.matches("[A-Za-z0-9._-]+") ? "sink " + sink : "sink";
            throw new IllegalArgumentException(
                    named + " is not a sink of this hub (its sinks: " + String.join(", ", sinks.names()) + ")");
        }
        SinkSettings settings = sinks.settings(sink);
        if (!settings.enabled()) {
            throw new IllegalArgumentException("sink " + sink + " is off ("
                    + SettingValues.environmentName("sink." + sink + ".enabled")
                    + ("crm".equals(sink) ? ", or CRM_URL unset" : "") + "): nothing would send what a backfill adds");
        }
        OffsetDateTime from = ApiValues.time("from", body.text("from"));
        if (from == null) {
            throw new IllegalArgumentException("from is required: the start of the range of received_at to send");
        }
        OffsetDateTime to = ApiValues.time("to", body.text("to"));
        to = to == null ? OffsetDateTime.now(ZoneOffset.UTC) : to;
        ApiValues.range("from", from, "to", to);
        return new BulkRequests.Backfill(sink, from, to, settings.statuses());
    }
}
