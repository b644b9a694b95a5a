package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.TestDatabase;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A wrong method on an existing path is answered 405 with an Allow header naming the methods that
 * path takes (RFC 9110 requires it), on both listeners, and the usual JSON error body.
 */
class MethodNotAllowedTest {

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with(Map.of("smsby.tokens", "tok", "vonage.tokens", "tok", "admin.token", "admin-secret"));

    final RunningHub hub = shared.hub();

    /** With a form body for the methods that carry one. */
    Reply send(URI uri, String method) {
        boolean bodyless = method.equals("GET") || method.equals("DELETE");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        bodyless ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("x=1"))
                .header("Authorization", "Bearer admin-secret");
        if (!bodyless) {
            request.header("Content-Type", RunningHub.FORM);
        }
        return hub.send(request.build());
    }

    void assertNotAllowed(Reply reply, String allow) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(405);
        assertThat(reply.raw().headers().allValues("Allow")).as("Allow").containsExactly(allow);
        assertThat(reply.raw().headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(reply.field("error")).isEqualTo("method_not_allowed");
        assertThat(reply.field("message")).contains(allow);
    }

    @Test
    void aPutToAProviderThatTakesOnlyPostNamesPost() {
        assertNotAllowed(send(hub.uri("/webhooks/smsby?token=tok"), "PUT"), "POST");
    }

    @Test
    void aGetToAProviderThatTakesOnlyPostNamesPost() {
        // GET passes the listener (some providers send query strings) and is refused by sms.by's adapter
        assertNotAllowed(send(hub.uri("/webhooks/smsby?token=tok"), "GET"), "POST");
    }

    @Test
    void aDeleteToAProviderThatTakesGetAndPostNamesBoth() {
        assertNotAllowed(send(hub.uri("/webhooks/vonage?token=tok"), "DELETE"), "GET, POST");
    }

    @Test
    void aWrongMethodOnAManagementPathIsRefusedWith405NamingTheMethodsItTakes() {
        // GET lists, DELETE purges dead deliveries (ops/DeadPurgeApiRoutes)
        assertNotAllowed(send(hub.managementUri("/api/outbox"), "PUT"), "DELETE, GET");
        assertNotAllowed(send(hub.managementUri("/api/outbox/1/replay"), "GET"), "POST");
        assertNotAllowed(send(hub.managementUri("/api/messages/smsby/m-1"), "PUT"), "GET");
        assertNotAllowed(send(hub.managementUri("/observe/health"), "POST"), "GET");
    }

    @Test
    void theRightMethodOnTheSamePathsIsStillAnswered200() {
        assertThat(send(hub.managementUri("/api/outbox"), "GET").status()).isEqualTo(200);
        assertThat(hub.post("/webhooks/smsby?token=tok", RunningHub.FORM, "channel=SMS&message_id=m-405&status=SENT")
                        .status())
                .isEqualTo(200);
    }
}
