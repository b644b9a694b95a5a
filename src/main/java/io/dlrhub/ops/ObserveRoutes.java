package io.dlrhub.ops;

import io.dlrhub.Metrics;
import io.dlrhub.Settings;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.outbox.OutboxStore;
import io.dlrhub.outbox.Sinks;
import io.dlrhub.retention.RetentionStore;
import io.dlrhub.store.GroupCommit;
import io.dlrhub.store.WriterHealthCheck;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Health and metrics on the management port, at Camel's conventional paths:
 * {@code /observe/health} (all checks), {@code /observe/health/live}, {@code /observe/health/ready}
 * (503 with the failing checks when DOWN) and {@code /observe/metrics} (Prometheus text format).
 */
public class ObserveRoutes extends RouteBuilder {

    /** From the composition root (app.CoreConfiguration); by name: a route file may bind a data source of its own. */
    @BeanInject("dataSource")
    DataSource dataSource;

    @BeanInject
    GroupCommit writer;

    @BeanInject
    OutboxStore outbox;

    @BeanInject
    Sinks sinks;

    /** From retention.RetentionConfiguration: the tables' size estimates. */
    @BeanInject
    RetentionStore tables;

    @Override
    public void configure() throws Exception {
        HealthCheckRegistry health = HealthCheckRegistry.get(getContext());
        DatabaseHealthCheck database = new DatabaseHealthCheck(dataSource);
        database.setCamelContext(getContext());
        health.register(database);
        for (WriterHealthCheck check :
                List.of(WriterHealthCheck.readiness(writer), WriterHealthCheck.liveness(writer))) {
            check.setCamelContext(getContext());
            health.register(check);
        }
        PrometheusMeterRegistry metrics = Metrics.registry(getContext());
        DatabaseGauges gauges = new DatabaseGauges(
                outbox,
                sinks,
                tables,
                metrics,
                Duration.ofMillis(new Settings(getContext()).getDuration("metrics.database-refresh-ms", 5000)),
                Clock.systemUTC());

        from("platform-http:/observe/health?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                .routeId("observe-health")
                .process(exchange -> answer(exchange, HealthCheckHelper.invoke(getContext(), "full")));
        from("platform-http:/observe/health/live?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                .routeId("observe-health-live")
                .process(exchange -> answer(exchange, HealthCheckHelper.invokeLiveness(getContext(), "full")));
        from("platform-http:/observe/health/ready?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                .routeId("observe-health-ready")
                .process(exchange -> answer(exchange, HealthCheckHelper.invokeReadiness(getContext(), "full")));
        from("platform-http:/observe/metrics?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                .routeId("observe-metrics")
                .process(exchange -> {
                    gauges.refreshIfStale();
                    exchange.getMessage().getHeaders().clear();
                    exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    exchange.getMessage().setBody(metrics.scrape());
                });
    }

    private static void answer(Exchange exchange, Collection<HealthCheck.Result> results) {
        boolean up = HealthCheckHelper.isResultsUp(results, false);
        List<Map<String, Object>> checks = new ArrayList<>();
        for (HealthCheck.Result result : results) {
            // every check is asked; shown are the context, what is DOWN, and what has something to say
            if (result.getState() == HealthCheck.State.UP
                    && result.getMessage().isEmpty()
                    && !"context".equals(result.getCheck().getId())) {
                continue;
            }
            Map<String, Object> check = new LinkedHashMap<>();
            check.put("name", result.getCheck().getId());
            check.put("status", result.getState().name());
            result.getMessage().ifPresent(message -> check.put("message", message));
            checks.add(check);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        JsonAnswer.answer(exchange, up ? 200 : 503, EventJson.write(body));
    }
}
