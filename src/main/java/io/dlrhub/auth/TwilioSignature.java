package io.dlrhub.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio's {@code X-Twilio-Signature}: base64(HMAC-SHA1(auth token, URL + POST parameters sorted by
 * name, each as name followed by value)).
 * <p>
 * For a JSON body Twilio adds a {@code bodySHA256} query parameter (hex SHA-256 of the raw body) to
 * the URL and signs the URL alone; the body's hash must then equal that parameter.
 * <p>
 * As in Twilio's own validators, a signature is accepted when it matches the URL as given, the URL
 * with its port removed (when it has one) or the URL with the scheme's default port added (when it
 * has none): what Twilio signed depends on how the URL was configured, which a proxy may change.
 * <p>
 * Several auth tokens may be active at once (rotation): every token is tried. All comparisons are
 * constant-time. Immutable and thread-safe.
 */
public final class TwilioSignature {

    private static final String ALGORITHM = "HmacSHA1";
    private static final String BODY_HASH_PARAMETER = "bodySHA256";

    private final List<SecretKeySpec> keys;

    /**
     * @param authTokens the active auth tokens; the first one signs
     * @throws IllegalArgumentException when there is no token or a token is empty
     */
    public TwilioSignature(List<String> authTokens) {
        if (authTokens == null || authTokens.isEmpty()) {
            throw new IllegalArgumentException("at least one Twilio auth token is required");
        }
        List<SecretKeySpec> specs = new ArrayList<>(authTokens.size());
        for (int i = 0; i < authTokens.size(); i++) {
            String token = authTokens.get(i);
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("Twilio auth token #" + (i + 1) + " is empty");
            }
            specs.add(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), ALGORITHM));
        }
        this.keys = List.copyOf(specs);
    }

    /**
     * The signature Twilio would send for a form POST to {@code url}, with the first token. The URL is
     * signed exactly as given. Parameters are sorted by name; a parameter with several values
     * contributes name+value for each value, in the values' order.
     */
    public String sign(String url, Map<String, List<String>> params) {
        Objects.requireNonNull(url, "url");
        return signature(keys.get(0), url + concatenatedParams(params));
    }

    /** Whether {@code signature} is a valid {@code X-Twilio-Signature} for a form POST. */
    public boolean isValidForm(String url, Map<String, List<String>> params, String signature) {
        if (url == null || signature == null || signature.isBlank()) {
            return false;
        }
        return matchesAnyVariant(url, concatenatedParams(params), signature);
    }

    /**
     * Whether {@code signature} is a valid {@code X-Twilio-Signature} for a JSON POST: the URL's
     * {@code bodySHA256} parameter must be the hex SHA-256 of {@code body}, and the signature must
     * cover the URL (no parameters appended).
     */
    public boolean isValidJson(String url, byte[] body, String signature) {
        if (url == null || body == null || signature == null || signature.isBlank()) {
            return false;
        }
        String presentedHash = bodyHashParameter(url);
        byte[] expectedHash = HexFormat.of().formatHex(sha256(body)).getBytes(StandardCharsets.US_ASCII);
        boolean hashMatches = presentedHash != null
                && MessageDigest.isEqual(
                        expectedHash, presentedHash.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        boolean signatureMatches = matchesAnyVariant(url, "", signature);
        return hashMatches & signatureMatches;
    }

    private boolean matchesAnyVariant(String url, String suffix, String signature) {
        byte[] presented = signature.trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        // no early exit: the time taken does not tell which token or URL form matched
        for (SecretKeySpec key : keys) {
            for (String candidate : urlVariants(url)) {
                byte[] expected = signature(key, candidate + suffix).getBytes(StandardCharsets.US_ASCII);
                match |= MessageDigest.isEqual(expected, presented);
            }
        }
        return match;
    }

    /** The URL as given, then without its port (if it has one) or with the default port (if not). */
    static Set<String> urlVariants(String url) {
        Set<String> variants = new LinkedHashSet<>();
        variants.add(url);
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            return variants;
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        int authorityStart = schemeEnd + 3;
        int authorityEnd = url.length();
        for (int i = authorityStart; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                authorityEnd = i;
                break;
            }
        }
        int hostStart = url.lastIndexOf('@', authorityEnd - 1) + 1;
        if (hostStart < authorityStart) {
            hostStart = authorityStart;
        }
        int portColon = portColon(url, hostStart, authorityEnd);
        if (portColon >= 0) {
            variants.add(url.substring(0, portColon) + url.substring(authorityEnd));
        } else {
            String defaultPort = switch (scheme) {
                case "https" -> ":443";
                case "http" -> ":80";
                default -> null;
            };
            if (defaultPort != null && authorityEnd > hostStart) {
                variants.add(url.substring(0, authorityEnd) + defaultPort + url.substring(authorityEnd));
            }
        }
        return variants;
    }

    /** The index of the ':' that starts the port in {@code url[hostStart, authorityEnd)}, or -1. */
    private static int portColon(String url, int hostStart, int authorityEnd) {
        int searchFrom = hostStart;
        if (hostStart < authorityEnd && url.charAt(hostStart) == '[') {
            int close = url.indexOf(']', hostStart);
            if (close < 0 || close >= authorityEnd) {
                return -1;
            }
            searchFrom = close + 1;
        }
        int colon = url.lastIndexOf(':', authorityEnd - 1);
        if (colon < searchFrom) {
            return -1;
        }
        for (int i = colon + 1; i < authorityEnd; i++) {
            if (!Character.isDigit(url.charAt(i))) {
                return -1;
            }
        }
        return colon;
    }

    /** The single {@code bodySHA256} query parameter of the URL, or null when absent, repeated or malformed. */
    private static String bodyHashParameter(String url) {
        int queryStart = url.indexOf('?');
        if (queryStart < 0) {
            return null;
        }
        int fragment = url.indexOf('#', queryStart);
        String query = url.substring(queryStart + 1, fragment < 0 ? url.length() : fragment);
        String found = null;
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                if (!BODY_HASH_PARAMETER.equals(URLDecoder.decode(name, StandardCharsets.UTF_8))) {
                    continue;
                }
                if (found != null) {
                    return null;
                }
                found = URLDecoder.decode(value, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                return null;
            }
        }
        return found;
    }

    private static String concatenatedParams(Map<String, List<String>> params) {
        if (params == null || params.isEmpty()) {
            return "";
        }
        List<String> names = new ArrayList<>();
        for (String name : params.keySet()) {
            if (name != null) {
                names.add(name);
            }
        }
        names.sort(null);
        StringBuilder concatenated = new StringBuilder();
        for (String name : names) {
            List<String> values = params.get(name);
            if (values == null) {
                continue;
            }
            for (String value : values) {
                if (value != null) {
                    concatenated.append(name).append(value);
                }
            }
        }
        return concatenated.toString();
    }

    private static String signature(SecretKeySpec key, String content) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JRE", e);
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
