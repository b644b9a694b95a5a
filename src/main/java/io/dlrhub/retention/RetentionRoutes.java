package io.dlrhub.retention;

import io.dlrhub.Settings;
import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention timer: every {@code retention.interval-ms} (the first run a minute after start, or
 * sooner with a shorter interval) one {@link RetentionJob} run on the timer's own thread, never a
 * webhook's. No timer with {@code RETENTION_DAYS=0}.
 */
public class RetentionRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionRoutes.class);
    private static final long FIRST_RUN_AT_MOST_MS = 60_000;

    /** From {@link RetentionConfiguration}. */
    @BeanInject
    RetentionJob job;

    @Override
    public void configure() throws Exception {
        long interval = new Settings(getContext()).getDuration("retention.interval-ms", 600_000);
        if (interval < 1) {
            throw new IllegalStateException("RETENTION_INTERVAL_MS (retention.interval-ms) must be at least 1");
        }
        if (!job.enabled()) {
            LOG.info("RETENTION_DAYS=0: events, deliveries and attempts are kept for ever");
            return;
        }
        from("timer:retention?period=" + interval + "&delay=" + Math.min(interval, FIRST_RUN_AT_MOST_MS))
                .routeId("retention")
                .process(exchange -> {
                    try {
                        job.run(() -> getContext().getStatus().isStarted());
                    } catch (RuntimeException e) {
                        // the database is down or busy: the next run starts again from the oldest
                        LOG.warn("Retention run failed, trying again in {} ms: {}", interval, e.getMessage());
                    }
                });
    }
}
