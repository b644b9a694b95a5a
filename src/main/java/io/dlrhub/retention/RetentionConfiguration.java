package io.dlrhub.retention;

import io.dlrhub.Metrics;
import io.dlrhub.Settings;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/**
 * Binds {@code retentionStore} and {@code retentionJob} (used by {@link RetentionRoutes}, the
 * purge of dead deliveries and the metrics) from the {@code retention.*} settings. Lazy like the
 * composition root's beans (app.CoreConfiguration), whose {@code dataSource} they take: built on
 * the first lookup, once the pool is migrated.
 */
@Configuration
public class RetentionConfiguration implements CamelConfiguration {

    /** A century: beyond, {@code RETENTION_DAYS} is a typo, not a policy. */
    private static final long MAX_DAYS = 36_500;

    private RetentionStore store;
    private RetentionJob job;

    @BindToRegistry(lazy = true)
    public RetentionStore retentionStore(@BeanInject("dataSource") DataSource dataSource) {
        return store(dataSource);
    }

    @BindToRegistry(lazy = true)
    public synchronized RetentionJob retentionJob(
            CamelContext context, @BeanInject("dataSource") DataSource dataSource) {
        if (job == null) {
            Settings settings = new Settings(context);
            long days = settings.getDuration("retention.days", 30);
            if (days > MAX_DAYS) {
                throw new IllegalStateException(
                        "RETENTION_DAYS (retention.days) is at most " + MAX_DAYS + " (0: keep for ever), got " + days);
            }
            job = new RetentionJob(
                    store(dataSource),
                    Duration.ofDays(days),
                    settings.getInt("retention.batch-size", 500),
                    Duration.ofMillis(settings.getDuration("retention.pause-ms", 100)),
                    Metrics.registry(context),
                    Clock.systemUTC());
        }
        return job;
    }

    private synchronized RetentionStore store(DataSource dataSource) {
        if (store == null) {
            store = new RetentionStore(dataSource);
        }
        return store;
    }
}
