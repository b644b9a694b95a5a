package io.dlrhub.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.TestDatabase;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A webhook port that another program holds: the service cannot receive a single webhook, so it
 * must not run on as if it could. Either start-up fails (the process exits non-zero, as it does for
 * a bad TLS_KEYSTORE or equal ports) or readiness says 503 so an orchestrator or balancer notices.
 */
class PortInUseReliabilityIT {

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aTakenWebhookPortIsNeverReportedReady() throws Exception {
        TestDatabase database = TestDatabase.postgres();
        try (CrmStub crm = new CrmStub();
                Mailbox mailbox = new Mailbox();
                ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            HubProcess hub = HubProcess.spawnOn(
                    "port-in-use",
                    Reliability.environment(database, crm.port(), mailbox.port()),
                    squatter.getLocalPort());
            try {
                // give it the time a normal start takes, and then some
                boolean reportedReady = Reliability.waitUntil(
                        Duration.ofSeconds(60), Duration.ofMillis(500), () -> !hub.isAlive() || hub.ready() == 200);
                HubProcess.sleep(2000);
                boolean bindFailed = hub.logContains("Address already in use");
                Integer exit = hub.exitCode();
                int ready = hub.isAlive() ? hub.ready() : -1;

                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("bind_failure_logged", bindFailed);
                summary.put("alive", hub.isAlive());
                summary.put("exit_code", exit);
                summary.put("ready", ready);
                Reliability.summary("port-in-use", summary);

                assertThat(bindFailed).as("the bind failure is logged").isTrue();
                assertThat(reportedReady && hub.isAlive() && ready == 200)
                        .as("running and ready (200) without its webhook listener; exit code %s", exit)
                        .isFalse();
                if (exit != null) {
                    assertThat(exit).as("exit code of a failed start").isNotZero();
                }
            } finally {
                hub.kill();
            }
        }
    }
}
