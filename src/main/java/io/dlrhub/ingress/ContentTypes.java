package io.dlrhub.ingress;

import java.util.Locale;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/** The guard adapters call first: a provider sends one media type, anything else is refused with 415. */
final class ContentTypes {

    private ContentTypes() {
    }

    static Processor require(String mediaType) {
        return exchange -> {
            String header = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
            String actual = header == null ? "" : header.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            if (!actual.equals(mediaType)) {
                throw new WebhookRejection(415, "unsupported_media_type", "this provider sends " + mediaType
                        + (actual.isEmpty() ? "; the request has no Content-Type" : "; got " + clip(actual)));
            }
        };
    }

    private static String clip(String value) {
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
    }
}
