package io.dlrhub.auth;

/** Standard Webhooks signature over the raw body (webhook-id, webhook-timestamp, webhook-signature). */
public final class StandardWebhooksScheme implements AuthScheme {

    /** The sender's id of the webhook, signed, and the dedup key of the standard adapter. */
    public static final String ID_HEADER = "webhook-id";

    private final StandardWebhooks verifier;

    public StandardWebhooksScheme(StandardWebhooks verifier) {
        this.verifier = verifier;
    }

    @Override
    public void check(WebhookRequest request) {
        // single values only: the webhook-id checked here is the one the route dedups on
        verifier.verify(
                request.singleHeader(ID_HEADER),
                request.singleHeader("webhook-timestamp"),
                request.singleHeader("webhook-signature"),
                request.rawBody());
    }

    @Override
    public String describe() {
        return "Standard Webhooks signature";
    }
}
