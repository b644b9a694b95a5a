package io.dlrhub.outbox;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * What a failed delivery means for the next attempt: HTTP 408, 429 and 5xx and every network
 * error are worth retrying (honouring Retry-After); any other 4xx, or a
 * {@link PermanentDeliveryException}, is dead at once. The description is safe to store and
 * show: it never contains a URL's query or credentials.
 */
public record DeliveryFailure(boolean permanent, Duration retryAfter, String description) {

    private static final int MAX_DESCRIPTION = 900;
    /** Causes can form a loop (initCause); never follow a chain further than this. */
    private static final int MAX_CAUSES = 32;

    public static DeliveryFailure of(Throwable failure) {
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            int status = http.getStatusCode();
            boolean retry = status == 408 || status == 429 || status >= 500;
            String text = "HTTP " + status + (http.getStatusText() == null ? "" : " " + http.getStatusText());
            return new DeliveryFailure(!retry, retryAfter(http.getResponseHeaders()), clip(text));
        }
        PermanentDeliveryException permanent = find(failure, PermanentDeliveryException.class);
        if (permanent != null) {
            return new DeliveryFailure(
                    true, null, clip(permanent.getMessage() == null ? "refused permanently" : permanent.getMessage()));
        }
        Throwable root = failure;
        for (int depth = 0; depth < MAX_CAUSES && root.getCause() != null && root.getCause() != root; depth++) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return new DeliveryFailure(false, null, clip(root.getClass().getSimpleName() + message));
    }

    static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_CAUSES; depth++) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return null;
    }

    static Duration retryAfter(Map<String, String> headers) {
        if (headers == null) {
            return null;
        }
        String value = headers.entrySet().stream()
                .filter(e -> "Retry-After".equalsIgnoreCase(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.trim();
        if (trimmed.matches("\\d+")) {
            // any number of seconds, even beyond a long: more than 12 digits is past RetryPolicy.LONGEST anyway
            String digits = trimmed.replaceFirst("^0+(?=\\d)", "");
            return digits.length() > 12 ? RetryPolicy.LONGEST : clamp(Duration.ofSeconds(Long.parseLong(digits)));
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(trimmed)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : clamp(wait);
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static Duration clamp(Duration wait) {
        return wait.compareTo(RetryPolicy.LONGEST) > 0 ? RetryPolicy.LONGEST : wait;
    }

    private static String clip(String text) {
        // a query string may carry a token; user-info may carry a password
        String safe = text.replaceAll("\\?[^\\s\"']*", "?…")
                .replaceAll("//[^/@\\s]+@", "//…@")
                .replaceAll("[\\p{Cntrl}]", " ");
        return safe.length() > MAX_DESCRIPTION ? safe.substring(0, MAX_DESCRIPTION) + "…" : safe;
    }
}
