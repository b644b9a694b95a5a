package io.dlrhub.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dlrhub.auth.AdminAuthenticator;
import io.dlrhub.event.EventJson;
import io.dlrhub.http.ExactSource;
import io.dlrhub.http.JsonAnswer;
import io.dlrhub.store.EventDetails;
import io.dlrhub.store.EventSearch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.BeanInject;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Event search and one event's details on the management port (admin token), see docs/api.md:
 * <ul>
 *   <li>{@code GET /api/events?provider=&message_id=&message_id_prefix=&status=&channel=&sink=&sink_state=&from=&to=&limit=&after=}</li>
 *   <li>{@code GET /api/events/{event_id}}</li>
 * </ul>
 */
public class EventApiRoutes extends RouteBuilder {

    /** Shared by every route of the management port (OpsConfiguration): a console session counts here too. */
    @BeanInject
    AdminAuthenticator admin;

    static final Set<String> SEARCH_PARAMETERS = Set.of(
            "provider",
            "message_id",
            "message_id_prefix",
            "status",
            "channel",
            "sink",
            "sink_state",
            "from",
            "to",
            "limit",
            "after");

    /** From the composition root (app.CoreConfiguration); by name: a route file may bind a data source of its own. */
    @BeanInject("dataSource")
    DataSource dataSource;

    @Override
    public void configure() throws Exception {
        EventSearch search = new EventSearch(dataSource);
        EventDetails details = new EventDetails(dataSource);

        ManagementApi.secured(
                        from("platform-http:/api/events?httpMethodRestrict=GET&" + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-event-search"),
                        admin)
                .process(exchange -> search(exchange, search));
        ManagementApi.secured(
                        from("platform-http:/api/events/{event_id}?httpMethodRestrict=GET&"
                                        + ManagementApi.ON_MANAGEMENT_PORT)
                                .routeId("api-event-details"),
                        admin)
                .process(exchange -> details(exchange, details));
    }

    private static void search(Exchange exchange, EventSearch search) {
        ApiQuery query = ApiQuery.of(exchange, SEARCH_PARAMETERS);
        EventSearch.Filter filter = filter(query);
        int limit = ApiValues.number("limit", query.get("limit"), 1, EventSearch.MAX_LIMIT, EventSearch.DEFAULT_LIMIT);
        String after = query.get("after");
        EventSearch.Page page = search.search(filter, limit, after == null ? null : EventSearch.Cursor.decode(after));
        JsonAnswer.answer(exchange, 200, EventJson.write(page));
    }

    static EventSearch.Filter filter(ApiQuery query) {
        String messageId = query.get("message_id");
        String prefix = query.get("message_id_prefix");
        ApiValues.oneOf("message_id", messageId, "message_id_prefix", prefix);
        var from = ApiValues.time("from", query.get("from"));
        var to = ApiValues.time("to", query.get("to"));
        ApiValues.range("from", from, "to", to);
        return new EventSearch.Filter(
                query.get("provider"),
                messageId,
                prefix,
                ApiValues.status("status", query.get("status")),
                query.get("channel"),
                query.get("sink"),
                ApiValues.sinkState("sink_state", query.get("sink_state")),
                from,
                to);
    }

    private static void details(Exchange exchange, EventDetails details) throws JsonProcessingException {
        ApiQuery.of(exchange, Set.of());
        UUID eventId = ApiValues.uuid("event_id", ExactSource.pathParam(exchange, "event_id"));
        var found = details.find(eventId);
        if (found.isEmpty()) {
            JsonAnswer.error(exchange, 404, "not_found", "no event is stored with this event_id");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        // the canonical event as stored, not re-rendered: what the sinks were sent
        body.put("event", EventJson.MAPPER.readTree(found.get().payload()));
        body.put("timeline", found.get().timeline());
        body.put("deliveries", found.get().deliveries());
        JsonAnswer.answer(exchange, 200, EventJson.write(body));
    }
}
