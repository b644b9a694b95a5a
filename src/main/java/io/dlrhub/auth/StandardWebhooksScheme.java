package io.dlrhub.auth;

/** Standard Webhooks signature over the raw body (webhook-id, webhook-timestamp, webhook-signature). */
public final class StandardWebhooksScheme implements AuthScheme {

    private final StandardWebhooks verifier;

    public StandardWebhooksScheme(StandardWebhooks verifier) {
        this.verifier = verifier;
    }

    @Override
    public void check(WebhookRequest request) {
        verifier.verify(request.header("webhook-id"), request.header("webhook-timestamp"),
                request.header("webhook-signature"), request.rawBody());
    }

    @Override
    public String describe() {
        return "Standard Webhooks signature";
    }
}
