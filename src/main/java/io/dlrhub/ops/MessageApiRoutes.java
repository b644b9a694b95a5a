package io.dlrhub.ops;

import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.ExactSource;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.store.MessageHistory;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code GET /api/messages/{provider}/{message_id}} on the management port (admin token): the
 * message's current canonical status and its timeline, each event with its sink deliveries.
 */
public class MessageApiRoutes extends RouteBuilder {

    /** Shared by every route of the management port (OpsConfiguration). */
    @BeanInject
    AdminAuthenticator admin;

    /** From the composition root (app.CoreConfiguration); by name: a route file may bind a data source of its own. */
    @BeanInject("dataSource")
    DataSource dataSource;

    @Override
    public void configure() throws Exception {
        MessageHistory history = new MessageHistory(dataSource);

        ManagementApi.secured(
                        from("platform-http:/api/messages/{provider}/{message_id}?httpMethodRestrict=GET&"
                                        + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-message-history"),
                        admin)
                .process(exchange -> {
                    // the path's segments, not the Camel headers of the same names (query parameters join those)
                    String provider = ExactSource.pathParam(exchange, "provider");
                    String messageId = ExactSource.pathParam(exchange, "message_id");
                    history.find(provider, messageId)
                            .ifPresentOrElse(
                                    message -> JsonAnswer.answer(exchange, 200, EventJson.write(message)),
                                    () -> JsonAnswer.error(
                                            exchange, 404, "not_found", "no events are stored for this message"));
                });
    }
}
