package io.dlrhub.auth;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Twilio's {@code X-Twilio-Signature}, computed over the URL Twilio called ({@code PUBLIC_BASE_URL}
 * plus path and query) and the POST parameters, or over a URL with {@code bodySHA256} for JSON.
 */
public final class TwilioScheme implements AuthScheme {

    public static final String HEADER = "X-Twilio-Signature";
    private final TwilioSignature signature;
    private final String publicBaseUrl;

    public TwilioScheme(TwilioSignature signature, String publicBaseUrl) {
        this.signature = signature;
        this.publicBaseUrl =
                publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
    }

    @Override
    public void check(WebhookRequest request) {
        String presented = request.singleHeader(HEADER);
        if (presented == null || presented.isBlank()) {
            throw new UnauthenticatedException(HEADER + " is required");
        }
        String url = publicBaseUrl + request.uri();
        boolean valid;
        if ("application/x-www-form-urlencoded".equals(request.contentType())) {
            valid = signature.isValidForm(url, form(request.rawBody()), presented);
        } else if (request.rawQuery().contains("bodySHA256=")) {
            valid = signature.isValidJson(url, request.rawBody(), presented);
        } else {
            valid = signature.isValidForm(url, Map.of(), presented);
        }
        if (!valid) {
            throw new UnauthenticatedException(HEADER + " does not match (is PUBLIC_BASE_URL the URL Twilio calls?)");
        }
    }

    private static Map<String, List<String>> form(byte[] body) {
        try {
            return new QueryStringDecoder(new String(body, StandardCharsets.UTF_8), StandardCharsets.UTF_8, false)
                    .parameters();
        } catch (IllegalArgumentException malformed) {
            throw new UnauthenticatedException("the form body is not valid URL encoding");
        }
    }

    @Override
    public String describe() {
        return "Twilio signature";
    }
}
