package io.dlrhub.ops;

import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.ExactSource;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.outbox.OutboxEntry;
import io.dlrhub.outbox.OutboxStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operations API on the management port (admin token required): list dead deliveries and
 * replay one once the receiver is fixed.
 * <ul>
 *   <li>{@code GET /api/outbox?state=dead|pending&limit=100}</li>
 *   <li>{@code POST /api/outbox/{id}/replay}</li>
 * </ul>
 */
public class OutboxApiRoutes extends RouteBuilder {

    /** Shared by every route of the management port (OpsConfiguration). */
    @BeanInject
    AdminAuthenticator admin;

    private static final Logger LOG = LoggerFactory.getLogger(OutboxApiRoutes.class);

    /** From the composition root (app.CoreConfiguration). */
    @BeanInject
    OutboxStore store;

    @Override
    public void configure() throws Exception {
        if (!admin.isConfigured()) {
            LOG.warn("ADMIN_TOKEN is not set: the operations API on the management port refuses every request");
        }

        ManagementApi.secured(
                        from("platform-http:/api/outbox?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-outbox-list"),
                        admin)
                .process(exchange -> list(exchange, store));

        ManagementApi.secured(
                        from("platform-http:/api/outbox/{id}/replay?httpMethodRestrict=POST&"
                                        + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-outbox-replay"),
                        admin)
                .process(exchange -> replay(exchange, store));
    }

    private static void list(Exchange exchange, OutboxStore store) {
        String state = ExactSource.queryParam(exchange, "state");
        state = state == null ? OutboxStore.DEAD : state;
        if (!OutboxStore.DEAD.equals(state) && !OutboxStore.PENDING.equals(state)) {
            throw new IllegalArgumentException("state must be dead or pending");
        }
        int limit = limit(ExactSource.queryParam(exchange, "limit"));
        List<OutboxEntry> entries = store.list(state, limit);
        JsonAnswer.answer(exchange, 200, EventJson.write(entries));
    }

    private static void replay(Exchange exchange, OutboxStore store) {
        // the path's {id}: the Camel header "id" also takes ?id=7 and an id: header
        String raw = ExactSource.pathParam(exchange, "id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the delivery id must be a number");
        }
        if (!store.replay(id)) {
            JsonAnswer.error(exchange, 404, "not_found", "there is no dead delivery with id " + id);
            return;
        }
        LOG.info("Dead delivery {} replayed through the operations API", id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "replayed");
        body.put("id", id);
        JsonAnswer.answer(exchange, 200, EventJson.write(body));
    }

    private static int limit(String raw) {
        if (raw == null) {
            return 100;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= 1000) {
                return limit;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException("limit must be a number from 1 to 1000");
    }
}
