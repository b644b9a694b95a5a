package io.dlrhub.ingress;

import java.util.LinkedHashMap;
import java.util.Map;

import io.dlrhub.event.EventJson;

/** The JSON body of every error answer: {"error": machine code, "message": human text}. */
public final class ErrorBody {

    private ErrorBody() {
    }

    public static String json(String code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return EventJson.write(body);
    }
}
