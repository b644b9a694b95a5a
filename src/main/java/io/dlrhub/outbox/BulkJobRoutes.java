package io.dlrhub.outbox;

import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the running bulk replays and backfills: every half second each running job takes steps
 * until its throttle says wait. Every instance does this; a job's steps lock its row, so instances
 * take turns on it (see {@link BulkJobs}).
 */
public class BulkJobRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(BulkJobRoutes.class);
    /** Steps per job and tick at most, so one fast job does not hold up the others for long. */
    private static final int STEPS_PER_TICK = 50;

    private volatile boolean failing;

    /** From the composition root (app.CoreConfiguration); by name: a route file may bind a data source of its own. */
    @BeanInject("dataSource")
    DataSource dataSource;

    @Override
    public void configure() throws Exception {
        BulkJobs jobs = new BulkJobs(dataSource);
        from("timer:bulk-jobs?period=500&delay=500").routeId("bulk-jobs").process(exchange -> tick(jobs));
    }

    private void tick(BulkJobs jobs) {
        try {
            for (long id : jobs.running()) {
                int steps = 0;
                while (steps++ < STEPS_PER_TICK && jobs.step(id)) {
                    // the throttle and the batch size bound each step
                }
            }
            if (failing) {
                LOG.info("Bulk replays and backfills are running again");
                failing = false;
            }
        } catch (RuntimeException e) {
            // the database is down or the job's row is held: the next tick tries again; said once, not every tick
            if (!failing) {
                LOG.warn("Bulk replays and backfills paused: {}", e.getMessage());
                failing = true;
            }
        }
    }
}
