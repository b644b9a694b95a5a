package io.dlrhub.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON body of every error answer: {"error": machine code, "message": human text}. */
public final class ErrorBody {

    /** Two strings need none of the canonical event's JSON settings (event.EventJson), and http stays below event. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorBody() {}

    public static String json(String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write an error body", e);
        }
    }
}
