package io.dlrhub.outbox;

import io.dlrhub.observe.SecretLogFilter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * One delivery attempt as the {@code delivery_attempt} table keeps it: when it started, how long
 * it took, the sink's HTTP status when it answered one, and a short detail (the error, or the
 * status line of a success). The detail is shown to operators, so it never carries a configured
 * secret, a URL's query string or user-info, or a control character, and is at most
 * {@link #MAX_DETAIL} characters (the column's size).
 *
 * @param httpStatus null when the sink did not answer over HTTP (a network error, a mail server)
 * @param detail     null when there is nothing to say (a non-HTTP sink took the event)
 */
public record Attempt(OffsetDateTime startedAt, int durationMs, Integer httpStatus, String detail) {

    static final int MAX_DETAIL = 500;
    /** Of a receiver's answer to a failed call: enough to read its reason, not its whole page. */
    private static final int MAX_BODY = 200;

    private static final int SCRUBBED = 4096;

    /** The sink route finished without an exception: its HTTP status and status line, if it made an HTTP call last. */
    static Attempt delivered(Timing timing, Exchange exchange) {
        Integer status =
                exchange == null ? null : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String detail = null;
        if (status != null) {
            String text = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class);
            detail = "HTTP " + status + (text == null || text.isBlank() ? "" : " " + text);
        }
        return new Attempt(timing.startedAt(), timing.durationMs(), status, safe(detail));
    }

    /** A failed attempt: the HTTP status and an excerpt of the receiver's answer, or the error. */
    static Attempt failed(Timing timing, Throwable error, DeliveryFailure failure) {
        HttpOperationFailedException http = DeliveryFailure.find(error, HttpOperationFailedException.class);
        Integer status = http == null ? null : http.getStatusCode();
        String detail = failure.description();
        if (http != null
                && http.getResponseBody() != null
                && !http.getResponseBody().isBlank()) {
            detail += ": " + excerpt(http.getResponseBody());
        }
        return new Attempt(timing.startedAt(), timing.durationMs(), status, safe(detail));
    }

    /**
     * The start of a receiver's answer, scrubbed before it is cut: a secret that straddled the cut
     * would otherwise leave its first half unrecognised. Only the first {@link #SCRUBBED} characters
     * are looked at (a page of megabytes is not searched), far more than is kept.
     */
    static String excerpt(String body) {
        String start = body.length() > SCRUBBED ? body.substring(0, SCRUBBED) : body;
        String clean = scrub(start);
        return clean.length() > MAX_BODY ? cut(clean, MAX_BODY) : clean;
    }

    /** A claimed delivery given back without being sent (see {@link HeldClaims}, or the service stopping). */
    static Attempt unsent(String why) {
        return new Attempt(OffsetDateTime.now(ZoneOffset.UTC), 0, null, safe(why));
    }

    /**
     * Fit to store and show: configured secrets replaced first (while they are still whole), then
     * URL query strings and user-info, control characters (PostgreSQL refuses NUL), and the size.
     */
    private static final Pattern QUERY = Pattern.compile("\\?[^\\s\"'<>]*");

    private static final Pattern USER_INFO = Pattern.compile("//[^/@\\s]+@");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}+");

    static String safe(String text) {
        if (text == null) {
            return null;
        }
        String safe = scrub(text);
        return safe.length() > MAX_DETAIL ? cut(safe, MAX_DETAIL) : safe;
    }

    private static String scrub(String text) {
        String redacted = SecretLogFilter.redact(text);
        redacted = QUERY.matcher(redacted).replaceAll("?…");
        redacted = USER_INFO.matcher(redacted).replaceAll("//…@");
        return CONTROL.matcher(redacted).replaceAll(" ").strip();
    }

    /** At most {@code max} characters, the last one an ellipsis; never half a surrogate pair (stored as a replacement character). */
    private static String cut(String text, int max) {
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    /**
     * When a delivery started and ended, set by the thread that sends it (wall clock for the
     * start shown to operators, the monotonic clock for the duration).
     */
    static final class Timing {

        private volatile Instant startedAt;
        private volatile long startNanos;
        private volatile long endNanos;
        private volatile boolean ended;

        void start() {
            startedAt = Instant.now();
            startNanos = System.nanoTime();
        }

        void end() {
            endNanos = System.nanoTime();
            ended = true;
        }

        OffsetDateTime startedAt() {
            Instant at = startedAt;
            return OffsetDateTime.ofInstant(at == null ? Instant.now() : at, ZoneOffset.UTC);
        }

        /** Until it ended, or until now if it did not (a delivery that timed out); 0 if it never started. */
        int durationMs() {
            if (startedAt == null) {
                return 0;
            }
            long end = ended ? endNanos : System.nanoTime();
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, (end - startNanos) / 1_000_000));
        }
    }
}
