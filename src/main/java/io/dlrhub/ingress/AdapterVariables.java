package io.dlrhub.ingress;

import io.dlrhub.auth.StandardWebhooksScheme;
import io.dlrhub.auth.WebhookRequest;
import io.dlrhub.event.WebhookVariables;
import io.dlrhub.http.ExactSource;
import org.apache.camel.Exchange;

/**
 * For adapters, webhook-ingress sets these variables from the exact source ({@link ExactSource}):
 * {@code dlrMethod} (GET, POST), {@code dlrContentType} (media type, lower case, no parameters)
 * and {@code dlrWebhookId} (the one {@code webhook-id} header, the value a Standard Webhooks
 * signature covers).
 */
final class AdapterVariables {

    static final String METHOD = "dlrMethod";
    static final String CONTENT_TYPE = "dlrContentType";
    static final String WEBHOOK_ID = WebhookVariables.WEBHOOK_ID;

    private AdapterVariables() {}

    /** Sets the variables adapters choose and dedup on (see the class comment). */
    static void expose(Exchange exchange) {
        WebhookRequest request = ExactSource.request(exchange);
        exchange.setVariable(METHOD, request.method());
        exchange.setVariable(CONTENT_TYPE, request.contentType());
        // refused when sent twice (401): the signature covers one copy, the dedup key must be that copy
        exchange.setVariable(WEBHOOK_ID, request.singleHeader(StandardWebhooksScheme.ID_HEADER));
    }
}
