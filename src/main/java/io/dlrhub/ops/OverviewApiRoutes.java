package io.dlrhub.ops;

import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.outbox.SinkStatistics;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.store.ReceivedEvents;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * What the console's overview and sinks pages show, on the management port (admin token or console
 * session):
 * <ul>
 *   <li>{@code GET /api/overview}: events stored per second (last minute) and per minute (last
 *   hour), per sink the backlog, its oldest pending delivery's age, attempts delivered and failed in
 *   the last hour, dead deliveries; and whether the database answers. With the database down it
 *   still answers 200, {@code "database":"DOWN"} and no numbers: the page shows that.</li>
 *   <li>{@code GET /api/sinks}: each sink with its settings (no secret) and recent failures ({@link SinkReport}).</li>
 * </ul>
 */
public class OverviewApiRoutes extends RouteBuilder {

    /** Shared by every route of the management port (OpsConfiguration). */
    @BeanInject
    AdminAuthenticator admin;

    /** From the composition root (app.CoreConfiguration); by name: a route file may bind a data source of its own. */
    @BeanInject("dataSource")
    DataSource dataSource;

    @BeanInject
    Sinks sinks;

    static final Duration RECENT = Duration.ofHours(1);

    @Override
    public void configure() throws Exception {
        ReceivedEvents received = new ReceivedEvents(dataSource);
        SinkStatistics statistics = new SinkStatistics(dataSource);
        SinkReport report = new SinkReport(getContext(), sinks, statistics);

        ManagementApi.secured(
                        from("platform-http:/api/overview?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-overview"),
                        admin)
                .process(exchange ->
                        JsonAnswer.answer(exchange, 200, EventJson.write(overview(received, statistics, sinks))));
        ManagementApi.secured(
                        from("platform-http:/api/sinks?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-sinks"),
                        admin)
                .process(exchange -> sinks(exchange, report));
    }

    private static void sinks(Exchange exchange, SinkReport report) {
        JsonAnswer.answer(exchange, 200, EventJson.write(report.all(Instant.now())));
    }

    static Map<String, Object> overview(ReceivedEvents received, SinkStatistics statistics, Sinks sinks) {
        Instant now = Instant.now();
        Instant currentMinute = now.truncatedTo(ChronoUnit.MINUTES);
        Instant firstMinute = currentMinute.minus(59, ChronoUnit.MINUTES);
        Map<String, Object> body = new LinkedHashMap<>();
        try {
            long lastMinute = received.count(now.minusSeconds(60), now.plusMillis(1));
            Map<Instant, Long> perMinute = received.perMinute(firstMinute, currentMinute.plus(1, ChronoUnit.MINUTES));
            Map<String, SinkStatistics.Backlog> backlog = statistics.backlog();
            Map<String, Map<String, Long>> outcomes = statistics.outcomesSince(now.minus(RECENT));
            List<Map<String, Object>> minutes = new ArrayList<>();
            for (Instant minute = firstMinute;
                    !minute.isAfter(currentMinute);
                    minute = minute.plus(1, ChronoUnit.MINUTES)) {
                Map<String, Object> bucket = new LinkedHashMap<>();
                bucket.put("minute", minute);
                bucket.put("count", perMinute.getOrDefault(minute, 0L));
                minutes.add(bucket);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            TreeSet<String> names = new TreeSet<>(sinks.names());
            names.addAll(backlog.keySet());
            for (String name : names) {
                SinkStatistics.Backlog waiting = backlog.getOrDefault(name, new SinkStatistics.Backlog(0, null, 0));
                Map<String, Long> attempts = outcomes.getOrDefault(name, Map.of());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", name);
                row.put("pending", waiting.pending());
                row.put("oldest_pending_age_seconds", ageSeconds(waiting.oldestPending(), now));
                row.put("delivered", attempts.getOrDefault("delivered", 0L));
                row.put("failed", attempts.getOrDefault("retry", 0L) + attempts.getOrDefault("dead", 0L));
                row.put("dead", waiting.dead());
                rows.add(row);
            }
            body.put("webhooks_per_second", Math.round(lastMinute / 60.0 * 100) / 100.0);
            body.put("received_last_hour", minutes);
            body.put("sinks", rows);
            body.put("database", "UP");
        } catch (RuntimeException databaseDown) {
            body.clear();
            body.put("webhooks_per_second", null);
            body.put("received_last_hour", List.of());
            body.put("sinks", List.of());
            body.put("database", "DOWN");
        }
        body.put("generated_at", now);
        return body;
    }

    /** Whole seconds since a time, null when there is none. */
    static Long ageSeconds(Instant since, Instant now) {
        return since == null ? null : Math.max(0, Duration.between(since, now).toSeconds());
    }
}
