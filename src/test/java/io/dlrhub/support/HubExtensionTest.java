package io.dlrhub.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The class-wide hub's life, driven the way JUnit drives it (beforeAll, afterAll of a class and
 * of a class nested in it): started once, closed once by the class that started it, and nothing
 * left to close when the start is refused.
 */
class HubExtensionTest {

    /** A class's context, as far as the extension reads it: its unique id. */
    static ExtensionContext classContext(String uniqueId) {
        return (ExtensionContext) Proxy.newProxyInstance(
                ExtensionContext.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getUniqueId")) {
                        return uniqueId;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    void theHubRunsFromTheClassStartToItsEndAndANestedClassSharesItWithoutClosingIt() throws Exception {
        HubExtension shared = HubExtension.on(TestDatabase::h2InMemory).with("smsby.tokens", "tok");
        ExtensionContext outer = classContext("[class:Outer]");
        ExtensionContext nested = classContext("[class:Outer]/[nested-class:Inner]");

        shared.beforeAll(outer);
        RunningHub hub = shared.hub();
        int port = hub.port();
        int managementPort = hub.managementPort();
        try {
            assertThat(hub.post("/webhooks/smsby?token=tok", RunningHub.FORM, "channel=SMS&message_id=x-1&status=SENT")
                            .status())
                    .isEqualTo(200);
            assertThat(Sql.count(shared.database(), "SELECT COUNT(*) FROM delivery_event WHERE message_id = 'x-1'"))
                    .isEqualTo(1);

            shared.beforeAll(nested);
            assertThat(shared.hub()).as("the nested class's hub").isSameAs(hub);
            shared.afterAll(nested);
            assertThat(listening(port))
                    .as("webhook port after the nested class")
                    .isTrue();
        } finally {
            shared.afterAll(outer);
        }

        // Vert.x lets a listener go a moment after the stop returns: closed soon, not necessarily at once
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(listening(port)).as("webhook port after the class").isFalse();
            assertThat(listening(managementPort))
                    .as("management port after the class")
                    .isFalse();
        });
        assertThatThrownBy(shared::hub)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not running");
    }

    @Test
    void aRefusedStartFailsTheClassAndLeavesNothingToClose() {
        HubExtension shared = HubExtension.on(TestDatabase::h2InMemory).with("smtp.starttls", "maybe");
        ExtensionContext context = classContext("[class:Refused]");

        assertThatThrownBy(() -> shared.beforeAll(context))
                .hasMessageContaining("did not start")
                .hasStackTraceContaining("smtp.starttls");
        assertThatThrownBy(shared::hub).isInstanceOf(IllegalStateException.class);
        assertThatCode(() -> shared.afterAll(context)).doesNotThrowAnyException();
    }

    @Test
    void settingsMadeAtStartReachTheHubAndWinOverFixedOnes() throws Exception {
        HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
                .with("smsby.tokens", "fixed")
                .withSettingsFrom(() -> java.util.Map.of("smsby.tokens", "made-at-start"));
        ExtensionContext context = classContext("[class:Late]");

        shared.beforeAll(context);
        try {
            RunningHub hub = shared.hub();
            assertThat(hub.post(
                                    "/webhooks/smsby?token=made-at-start",
                                    RunningHub.FORM,
                                    "channel=SMS&message_id=late-1&status=SENT")
                            .status())
                    .isEqualTo(200);
            assertThat(hub.post(
                                    "/webhooks/smsby?token=fixed",
                                    RunningHub.FORM,
                                    "channel=SMS&message_id=late-2&status=SENT")
                            .status())
                    .isEqualTo(401);
        } finally {
            shared.afterAll(context);
        }
    }
}
