package io.dlrhub.ingress;

/** A request refused before it became an event: answered with its status and a JSON error. */
public class WebhookRejection extends RuntimeException {

    private final int status;
    private final String code;

    public WebhookRejection(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
