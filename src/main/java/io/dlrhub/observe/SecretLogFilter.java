package io.dlrhub.observe;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.message.ParameterizedMessage;

/**
 * The last line of defence: a log4j2 context-wide filter that drops any log line (of any logger,
 * at any level) containing a configured secret. The loggers known to print configuration values,
 * URIs or headers are held at INFO in log4j2.properties; this catches what a library prints at
 * DEBUG or TRACE that nobody listed (Camel logs every endpoint URI, with a CRM URL's
 * {@code user:password@}, at DEBUG). Dropped, not masked: a filter cannot rewrite a line.
 * <p>
 * Only lines enabled by their level are looked at, so disabled DEBUG/TRACE calls cost nothing more.
 */
public final class SecretLogFilter extends AbstractFilter {

    /** Shorter values would drop lines that merely contain a common word (DB_PASSWORD=dlrhub); warned about at start. */
    static final int MIN_LENGTH = 8;

    private static final Pattern LIST = Pattern.compile("[,\\s]+");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(".*(pass|token|secret|key|auth|sig|credential).*");
    private static final SecretLogFilter INSTANCE = new SecretLogFilter();

    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    /** The secrets, longest first, for {@link #redact}; replaced whenever one is added. */
    private volatile List<String> longestFirst = List.of();

    private SecretLogFilter() {
        super(Filter.Result.DENY, Filter.Result.NEUTRAL);
    }

    /** Adds the filter to the running log4j2 configuration (and to every configuration that replaces it). */
    public static synchronized void install() {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return;
        }
        addTo(context);
        if (!INSTANCE.isStarted()) {
            INSTANCE.start();
            context.addPropertyChangeListener(change -> {
                if (LoggerContext.PROPERTY_CONFIG.equals(change.getPropertyName())) {
                    addTo(context);
                }
            });
        }
    }

    private static void addTo(LoggerContext context) {
        Configuration configuration = context.getConfiguration();
        if (!configuration.hasFilter() || !contains(configuration.getFilter())) {
            configuration.addFilter(INSTANCE);
            context.updateLoggers();
        }
    }

    private static boolean contains(Filter filter) {
        if (filter == INSTANCE) {
            return true;
        }
        if (filter instanceof org.apache.logging.log4j.core.filter.CompositeFilter composite) {
            return composite.getFiltersArray() != null
                    && java.util.Arrays.asList(composite.getFiltersArray()).contains(INSTANCE);
        }
        return false;
    }

    /**
     * Keeps a setting's value out of the log: each item of a list, the key of a {@code whsec_}
     * secret, and of a URL only its credentials (the password of {@code user:password@}, as
     * Basic credentials too, and query parameters named like a key, token, secret or password).
     */
    public static void keepOut(String key, String value) {
        if (value == null || value.isBlank()) {
            return;
        }
        if (key.toLowerCase(Locale.ROOT).contains("url")) {
            urlCredentials(value.trim());
            return;
        }
        for (String item : LIST.split(value.trim())) {
            keepOut(item);
            if (item.startsWith("whsec_")) {
                keepOut(item.substring("whsec_".length()));
            }
        }
    }

    /** Whether a setting holds an item too short to be filtered (for a warning naming the setting, not the value). */
    static boolean tooShort(String key, String value) {
        if (value == null || value.isBlank() || key.toLowerCase(Locale.ROOT).contains("url")) {
            return false;
        }
        for (String item : LIST.split(value.trim())) {
            if (!item.isEmpty() && item.length() < MIN_LENGTH) {
                return true;
            }
        }
        return false;
    }

    /** Keeps one exact value out of the log. */
    public static void keepOut(String secret) {
        if (secret != null && secret.length() >= MIN_LENGTH && INSTANCE.secrets.add(secret)) {
            synchronized (SecretLogFilter.class) {
                INSTANCE.longestFirst = INSTANCE.secrets.stream()
                        .sorted(Comparator.comparingInt(String::length).reversed())
                        .toList();
            }
        }
    }

    /**
     * The text with every configured secret replaced by {@code …}: for text that is stored and
     * shown rather than logged (a delivery attempt's error or response excerpt), where dropping
     * the whole text would hide the reason. Longer secrets first, so one that contains another is
     * replaced whole.
     */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = text;
        for (String secret : INSTANCE.longestFirst) {
            if (redacted.contains(secret)) {
                redacted = redacted.replace(secret, "…");
            }
        }
        return redacted;
    }

    /** HTTP Basic credentials as they travel in an Authorization header. */
    public static void keepOutBasic(String user, String password) {
        if (user != null && password != null) {
            keepOut(password);
            keepOut(Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static void urlCredentials(String url) {
        int scheme = url.indexOf("://");
        if (scheme >= 0) {
            int hostEnd = url.length();
            for (int i = scheme + 3; i < url.length(); i++) {
                char c = url.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    hostEnd = i;
                    break;
                }
            }
            int at = url.lastIndexOf('@', hostEnd - 1);
            if (at > scheme) {
                String userInfo = url.substring(scheme + 3, at);
                int colon = userInfo.indexOf(':');
                if (colon >= 0) {
                    String user = userInfo.substring(0, colon);
                    String password = userInfo.substring(colon + 1);
                    keepOut(password);
                    keepOut(decoded(password));
                    keepOutBasic(decoded(user), decoded(password));
                }
            }
        }
        int question = url.indexOf('?');
        if (question >= 0) {
            for (String pair : url.substring(question + 1).split("[&;]")) {
                int equals = pair.indexOf('=');
                if (equals > 0
                        && SECRET_PARAMETER
                                .matcher(pair.substring(0, equals).toLowerCase(Locale.ROOT))
                                .matches()) {
                    keepOut(pair.substring(equals + 1));
                    keepOut(decoded(pair.substring(equals + 1)));
                }
            }
        }
    }

    private static String decoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEncoded) {
            return value;
        }
    }

    // --- the filter ---------------------------------------------------------------------------------

    /**
     * Whether there is nothing to look at: no secret, or a line its logger's level drops anyway.
     * Asked before a line is formatted: a context-wide filter is asked first by every
     * {@code isEnabled} (each disabled {@code debug("... {}", exchange)} of Camel, per message), and
     * formatting those cost more than what they log.
     */
    private boolean nothingToJudge(Logger logger, Level level) {
        // not logger.isEnabled(level): that asks this filter again
        return secrets.isEmpty() || logger != null && !level.isMoreSpecificThan(logger.getLevel());
    }

    private Result judge(Logger logger, Level level, String text, Throwable thrown) {
        if (text == null || nothingToJudge(logger, level)) {
            return Result.NEUTRAL;
        }
        return leaks(text) || leaks(thrown) ? Result.DENY : Result.NEUTRAL;
    }

    private boolean leaks(String text) {
        if (text == null || text.isEmpty()) {
            return false;
        }
        for (String secret : secrets) {
            if (text.contains(secret)) {
                return true;
            }
        }
        return false;
    }

    private boolean leaks(Throwable thrown) {
        for (int depth = 0; thrown != null && depth < 20; depth++, thrown = thrown.getCause()) {
            if (leaks(thrown.toString())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg, Object... params) {
        if (msg == null || nothingToJudge(logger, level)) {
            return Result.NEUTRAL;
        }
        Throwable thrown = null;
        if (params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) {
            thrown = last;
        }
        String text = params == null || params.length == 0 ? msg : ParameterizedMessage.format(msg, params);
        return judge(logger, level, text, thrown);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, String msg) {
        return judge(logger, level, msg, null);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Object msg, Throwable t) {
        if (nothingToJudge(logger, level)) {
            return Result.NEUTRAL;
        }
        return judge(logger, level, msg == null ? null : msg.toString(), t);
    }

    @Override
    public Result filter(Logger logger, Level level, Marker marker, Message msg, Throwable t) {
        if (nothingToJudge(logger, level)) {
            return Result.NEUTRAL;
        }
        return judge(logger, level, msg == null ? null : msg.getFormattedMessage(), t);
    }

    @Override
    public Result filter(LogEvent event) {
        return judge(
                null,
                event.getLevel(),
                event.getMessage() == null ? null : event.getMessage().getFormattedMessage(),
                event.getThrown());
    }
}
