package io.dlrhub.ingress;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.message.StringMapMessage;

/**
 * The security event log: one line per webhook request, accepted or refused, on logger
 * {@code dlrhub.events}. Fields only, never a credential, never the body.
 */
public final class EventLog {

    private static final int MAX_VALUE_LENGTH = 200;
    private static final Logger LOG = LogManager.getLogger("dlrhub.events");

    private EventLog() {}

    public static void record(
            String provider, int httpStatus, String result, String reason, String remote, String eventId) {
        StringMapMessage line = new StringMapMessage()
                .with("provider", clean(provider))
                .with("result", clean(result))
                .with("http_status", String.valueOf(httpStatus))
                .with("reason", clean(reason))
                .with("remote", clean(remote))
                .with("event_id", clean(eventId));
        if (httpStatus >= 500) {
            LOG.warn(line);
        } else {
            LOG.info(line);
        }
    }

    /** Request-controlled text (a path, say) must not forge log lines or flood them. */
    private static String clean(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        String printable = value.codePoints()
                .map(c -> Character.isISOControl(c) || c == '"' || c == '\\' ? '?' : c)
                .limit(MAX_VALUE_LENGTH)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return printable;
    }
}
