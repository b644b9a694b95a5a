package io.dlrhub;

import java.util.Locale;

/**
 * The one rule for typed settings, so that a typo stops start-up instead of quietly meaning
 * something else ({@code SMTP_STARTTLS=yes} used to mean false and sent the SMTP password in clear):
 * <ul>
 * <li>a boolean is true/false, yes/no, on/off or 1/0, in any case;</li>
 * <li>a number is a whole decimal number ({@code 10000}, not {@code 10k} or {@code 1e4});</li>
 * <li>a duration is a number of the unit its key names ({@code -ms}, {@code -seconds}), never negative.</li>
 * </ul>
 * Anything else is refused with an error naming the environment variable and the property; the
 * value is repeated unless the key names a secret.
 */
public final class SettingValues {

    static final String BOOLEANS = "true/false, yes/no, on/off, 1/0";

    private SettingValues() {}

    public static boolean toBoolean(String key, String raw) {
        String value = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "true", "yes", "on", "1":
                return true;
            case "false", "no", "off", "0":
                return false;
            default:
                throw refused(key, raw, "is not a boolean: use " + BOOLEANS);
        }
    }

    public static long toWholeNumber(String key, String raw) {
        String value = raw == null ? "" : raw.trim();
        // Long.parseLong alone would also take "+5"; a leading sign other than '-' is a typo here
        if (!value.matches("-?[0-9]{1,18}")) {
            throw refused(key, raw, "is not a whole number");
        }
        return Long.parseLong(value);
    }

    /** A duration in the unit its key names; negative waits and timeouts make no sense. */
    public static long toDuration(String key, String raw) {
        String value = raw == null ? "" : raw.trim();
        if (!value.matches("[0-9]{1,18}")) {
            throw refused(key, raw, "is not a duration: use a whole number of " + unitOf(key) + ", 0 or more");
        }
        return Long.parseLong(value);
    }

    /** The environment variable that overrides a property: db.url is DB_URL, max-body-bytes MAX_BODY_BYTES. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * Keys whose value must never appear in a message. URLs are included because they can carry
     * credentials (jdbc:...?password=, https://user:pass@...).
     */
    public static boolean isSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.contains("password")
                || lower.contains("token")
                || lower.contains("secret")
                || lower.contains("url");
    }

    private static String unitOf(String key) {
        return key.endsWith("-seconds")
                ? "seconds"
                : key.endsWith("-ms") ? "milliseconds" : key.endsWith("days") ? "days" : "the key's unit";
    }

    private static IllegalStateException refused(String key, String raw, String why) {
        String shown = isSecret(key) ? "(value hidden)" : "'" + raw + "'";
        return new IllegalStateException(environmentName(key) + "=" + shown + " (" + key + ") " + why);
    }
}
