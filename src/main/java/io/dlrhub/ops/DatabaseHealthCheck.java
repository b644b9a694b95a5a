package io.dlrhub.ops;

import java.sql.Connection;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Ready only while the database answers: without it no webhook can be acknowledged. Not a
 * liveness check: restarting the service does not bring a database back.
 */
public class DatabaseHealthCheck extends AbstractHealthCheck {

    private final DataSource dataSource;

    public DatabaseHealthCheck(DataSource dataSource) {
        super("dlrhub", "database");
        this.dataSource = dataSource;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try (Connection connection = dataSource.getConnection()) {
            if (connection.isValid(2)) {
                builder.up();
            } else {
                builder.down().message("the database did not answer");
            }
        } catch (Exception e) {
            // the message names the failure, never the URL or credentials
            builder.down()
                    .message("the database is unreachable: " + e.getClass().getSimpleName());
        }
    }
}
