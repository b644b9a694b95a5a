package io.dlrhub.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks v1 signatures (<a href="https://www.standardwebhooks.com">standardwebhooks.com</a>).
 * <p>
 * The signed content is {@code <webhook-id>.<webhook-timestamp>.<raw body>}, signed with HMAC-SHA256
 * keyed with the base64-decoded secret ({@code whsec_<base64>}, the prefix being optional). The
 * {@code webhook-signature} header is a space-separated list of {@code <version>,<base64 signature>}
 * entries; only {@code v1} entries are ever accepted.
 * <p>
 * Several secrets may be active at once so a secret can be rotated: a request verifies if any
 * {@code v1} entry matches any secret. Immutable and thread-safe. No message produced here contains
 * a secret or an expected signature.
 */
public final class StandardWebhooks {

    private static final String SECRET_PREFIX = "whsec_";
    private static final String VERSION = "v1";
    private static final String ALGORITHM = "HmacSHA256";
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");

    private final List<SecretKeySpec> keys;
    private final Clock clock;
    private final long toleranceSeconds;

    /**
     * @param secrets   the active secrets, {@code whsec_<base64>} or plain base64; the first one signs
     * @param clock     the clock the timestamp is checked against
     * @param tolerance how far the timestamp may be from now, in the past or in the future
     * @throws IllegalArgumentException when there is no secret or a secret is not valid base64
     */
    public StandardWebhooks(List<String> secrets, Clock clock, Duration tolerance) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one Standard Webhooks secret is required");
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("the timestamp tolerance must not be negative");
        }
        List<SecretKeySpec> decoded = new ArrayList<>(secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            decoded.add(new SecretKeySpec(decodeSecret(secrets.get(i), i + 1), ALGORITHM));
        }
        this.keys = List.copyOf(decoded);
        this.clock = clock;
        this.toleranceSeconds = tolerance.getSeconds();
    }

    /** The {@code webhook-signature} value ({@code v1,<base64>}) for a message, signed with the first secret. */
    public String sign(String webhookId, long timestampSeconds, byte[] body) {
        Objects.requireNonNull(webhookId, "webhookId");
        Objects.requireNonNull(body, "body");
        byte[] mac = hmac(keys.get(0), signedContent(webhookId, timestampSeconds, body));
        return VERSION + "," + Base64.getEncoder().encodeToString(mac);
    }

    /**
     * Checks the three Standard Webhooks headers against the raw body.
     *
     * @throws UnauthenticatedException when a header is missing, the timestamp is not an integer or
     *                                  is outside the tolerance, or no {@code v1} signature matches
     */
    public void verify(String webhookId, String timestamp, String signatureHeader, byte[] body) {
        if (isBlank(webhookId)) {
            throw new UnauthenticatedException("missing webhook-id header");
        }
        if (isBlank(timestamp)) {
            throw new UnauthenticatedException("missing webhook-timestamp header");
        }
        if (isBlank(signatureHeader)) {
            throw new UnauthenticatedException("missing webhook-signature header");
        }
        long timestampSeconds = parseTimestamp(timestamp.trim());
        checkTolerance(timestampSeconds);

        List<byte[]> presented = presentedV1Signatures(signatureHeader);
        byte[] content = signedContent(webhookId, timestampSeconds, body == null ? new byte[0] : body);
        boolean match = false;
        // every secret and every entry is checked: the time taken does not tell which one matched
        for (SecretKeySpec key : keys) {
            byte[] expected = hmac(key, content);
            for (byte[] candidate : presented) {
                match |= MessageDigest.isEqual(expected, candidate);
            }
        }
        if (!match) {
            throw new UnauthenticatedException("no valid v1 signature in the webhook-signature header");
        }
    }

    private static long parseTimestamp(String timestamp) {
        if (!INTEGER.matcher(timestamp).matches()) {
            throw new UnauthenticatedException("the webhook-timestamp header is not an integer");
        }
        try {
            return Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new UnauthenticatedException("the webhook-timestamp header is not an integer");
        }
    }

    private void checkTolerance(long timestampSeconds) {
        long now = clock.instant().getEpochSecond();
        long age;
        try {
            age = Math.subtractExact(now, timestampSeconds);
        } catch (ArithmeticException overflow) {
            throw new UnauthenticatedException("the webhook-timestamp is too far from the current time");
        }
        if (age > toleranceSeconds) {
            throw new UnauthenticatedException("the webhook-timestamp is too old");
        }
        if (age < -toleranceSeconds) {
            throw new UnauthenticatedException("the webhook-timestamp is too far in the future");
        }
    }

    /** The decoded signatures of the {@code v1} entries; other versions and undecodable entries are ignored. */
    private static List<byte[]> presentedV1Signatures(String header) {
        List<byte[]> signatures = new ArrayList<>();
        for (String entry : header.trim().split("\\s+")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !VERSION.equals(entry.substring(0, comma))) {
                continue;
            }
            try {
                signatures.add(Base64.getDecoder().decode(entry.substring(comma + 1)));
            } catch (IllegalArgumentException notBase64) {
                // not a signature this side could have produced: it simply does not match
            }
        }
        return signatures;
    }

    private static byte[] signedContent(String webhookId, long timestampSeconds, byte[] body) {
        byte[] prefix = (webhookId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return content;
    }

    private static byte[] hmac(SecretKeySpec key, byte[] content) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JRE", e);
        }
    }

    private static byte[] decodeSecret(String secret, int position) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("Standard Webhooks secret #" + position + " is empty");
        }
        String encoded = secret.trim();
        if (encoded.startsWith(SECRET_PREFIX)) {
            encoded = encoded.substring(SECRET_PREFIX.length());
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException notBase64) {
            // the decoder's message quotes the offending character: it is deliberately not kept
            throw new IllegalArgumentException(
                    "Standard Webhooks secret #" + position + " is not valid base64 (expected whsec_<base64>)");
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("Standard Webhooks secret #" + position + " is empty");
        }
        return key;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
