package io.dlrhub.outbox;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * examples/sink-rabbitmq.camel.yaml against the machine's real RabbitMQ (127.0.0.1:5672,
 * guest/guest), read back with the plain AMQP client a consumer would use. The hub reaches the
 * broker through a TcpProxy, so the test can take RabbitMQ away and give it back.
 */
class RabbitMqSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyEventReachesTheQueueOnceAndAnOutageIsRetriedLikeTheCrm() throws Exception {
        ConnectionFactory amqp = new ConnectionFactory();
        amqp.setHost("127.0.0.1");
        amqp.setPort(5672);
        amqp.setUsername("guest");
        amqp.setPassword("guest");
        Connection consumer;
        try {
            consumer = amqp.newConnection();
        } catch (java.io.IOException e) {
            if ("true".equalsIgnoreCase(System.getenv("DLRHUB_REQUIRE_RABBITMQ"))) {
                throw new IllegalStateException("RabbitMQ is required (DLRHUB_REQUIRE_RABBITMQ) but not reachable", e);
            }
            Assumptions.abort("RabbitMQ at 127.0.0.1:5672 is not reachable: " + e.getMessage());
            return;
        }
        // a queue of this run only, fed through the default exchange by its name
        String queue = "dlrhub-test-" + UUID.randomUUID();
        Channel channel = consumer.createChannel();
        channel.queueDeclare(queue, false, false, false, null);
        TestDatabase database = TestDatabase.h2InMemory();
        try (TcpProxy broker = new TcpProxy("127.0.0.1", 5672).start();
                RunningHub hub = RunningHub.start(
                        database,
                        Map.of(
                                "smsby.tokens", "tok",
                                "camel.main.routes-include-pattern",
                                        "file:routes/*.camel.yaml,file:examples/sink-rabbitmq.camel.yaml",
                                "rabbitmq.uri", "amqp://guest:guest@127.0.0.1:" + broker.port() + "/%2f",
                                "rabbitmq.routing-key", queue,
                                "sink.rabbitmq.retry-initial-ms", "200",
                                "sink.rabbitmq.retry-max-ms", "400"))) {

            // RabbitMQ down: every delivery fails and stays pending, attempts counting
            broker.cut();
            List<String> eventIds = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                eventIds.add(hub.post(
                                "/webhooks/smsby?token=tok",
                                FORM,
                                "channel=SMS&message_id=rmq-" + i + "&status=DELIVERED")
                        .field("event_id"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'rabbitmq' AND state = 'pending' AND attempts >= 3")
                            == 5);
            assertThat(Sql.count(
                            database, "SELECT COUNT(*) FROM outbox WHERE sink = 'rabbitmq' AND state <> 'pending'"))
                    .isZero();
            assertThat(channel.messageCount(queue)).isZero();

            // RabbitMQ back: every event arrives, once
            broker.start();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Sql.count(
                                    database,
                                    "SELECT COUNT(*) FROM outbox WHERE sink = 'rabbitmq' AND state = 'delivered'")
                            == 5);

            Map<String, Integer> received = new HashMap<>();
            GetResponse message;
            while ((message = channel.basicGet(queue, true)) != null) {
                JsonNode event = JSON.readTree(new String(message.getBody(), StandardCharsets.UTF_8));
                String header = String.valueOf(message.getProps().getHeaders().get("event_id"));
                assertThat(header)
                        .as("event_id header = body's event_id")
                        .isEqualTo(event.get("event_id").asText());
                assertThat(event.get("status").asText()).isEqualTo("DELIVERED");
                assertThat(message.getProps().getDeliveryMode())
                        .as("persistent")
                        .isEqualTo(2);
                // nothing of ours but event_id becomes an AMQP header
                assertThat(message.getProps().getHeaders().keySet())
                        .noneMatch(h -> h.startsWith("Dlr") || h.startsWith("Camel"));
                received.merge(header, 1, Integer::sum);
            }
            Map<String, Integer> once = new HashMap<>();
            eventIds.forEach(id -> once.put(id, 1));
            assertThat(received).isEqualTo(once);
        } finally {
            channel.queueDelete(queue);
            consumer.close();
        }
    }
}
