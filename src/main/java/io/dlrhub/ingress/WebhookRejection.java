package io.dlrhub.ingress;

import java.util.List;

/** A request refused before it became an event: answered with its status and a JSON error. */
public class WebhookRejection extends RuntimeException {

    private final int status;
    private final String code;
    private final List<String> allow;

    public WebhookRejection(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    /** @param allow for a 405: the methods that would have been taken (the Allow header) */
    public WebhookRejection(int status, String code, String message, List<String> allow) {
        super(message);
        this.status = status;
        this.code = code;
        this.allow = List.copyOf(allow);
    }

    public List<String> allow() {
        return allow;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
