package io.dlrhub.outbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.event.CanonicalStatus;
import io.dlrhub.event.EventJson;
import io.dlrhub.store.EventSearch;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/** What a bulk job was asked to do, kept as JSON in its row (bulk_job.request). */
public final class BulkRequests {

    /** snake_case like every answer; absent fields left out, so the request reads as it was asked. */
    static final ObjectMapper JSON = EventJson.MAPPER.copy().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private BulkRequests() {}

    /**
     * Replay the dead deliveries with these outbox ids, or those matching the filter (its sink is
     * the delivery's sink; its other fields select the event, as the search's do). Exactly one is set.
     */
    public record Replay(List<Long> ids, EventSearch.Filter filter) {

        public Replay {
            if ((ids == null) == (filter == null)) {
                throw new IllegalArgumentException("give ids or filter, one of them");
            }
            ids = ids == null ? null : List.copyOf(ids);
        }
    }

    /** Send every event received in [from, to) that the sink wants ({@code statuses}; empty: all) to the sink. */
    public record Backfill(String sink, OffsetDateTime from, OffsetDateTime to, Set<CanonicalStatus> statuses) {

        public Backfill {
            statuses = Set.copyOf(statuses);
        }
    }

    static String write(Object request) {
        try {
            return JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a bulk request", e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A bulk job's stored request is not readable", e);
        }
    }
}
