package io.dlrhub.outbox;

import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

/** The dispatcher's clock: a tick every {@code outbox.poll-interval-ms} starts work for idle sinks. */
public class OutboxRoutes extends RouteBuilder {

    /** Built, and stopped before the group commit and the pool, by the composition root (app.CoreConfiguration). */
    @BeanInject
    OutboxDispatcher dispatcher;

    @Override
    public void configure() throws Exception {
        from("timer:outbox-dispatcher?period={{outbox.poll-interval-ms:250}}&delay={{outbox.poll-interval-ms:250}}")
                .routeId("outbox-dispatcher")
                .process(exchange -> dispatcher.tick());
    }
}
