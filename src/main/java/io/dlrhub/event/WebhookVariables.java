package io.dlrhub.event;

/**
 * Exchange variables that webhook-ingress sets from the exact request, before the adapter runs,
 * and that {@code dlr:event} reads. Adapters may read them too ({@code ${variable.dlrProvider}}).
 */
public final class WebhookVariables {

    /** The provider's name from the request path ({@code /webhooks/<provider>}). */
    public static final String PROVIDER = "dlrProvider";
    /** The one {@code webhook-id} header whose value the Standard Webhooks signature covers. */
    public static final String WEBHOOK_ID = "dlrWebhookId";

    private WebhookVariables() {}
}
