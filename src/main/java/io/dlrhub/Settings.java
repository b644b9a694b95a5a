package io.dlrhub;

import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelContext;

/**
 * Reads dlr-hub settings from Camel's properties component, so that every key in
 * application.properties can be overridden by its environment variable (db.url by DB_URL).
 */
public final class Settings {

    private final CamelContext context;

    public Settings(CamelContext context) {
        this.context = context;
    }

    public String get(String key, String defaultValue) {
        return context.getPropertiesComponent()
                .resolveProperty(key)
                .map(String::trim)
                .filter(v -> !v.isEmpty())
                .orElse(defaultValue);
    }

    public String required(String key) {
        String value = get(key, null);
        if (value == null) {
            throw new IllegalStateException("Setting " + key + " is required");
        }
        return value;
    }

    /** A whole number (see {@link SettingValues}); outside int a start-up error, not a silent wrap. */
    public int getInt(String key, int defaultValue) {
        long value = getLong(key, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalStateException(
                    SettingValues.environmentName(key) + " (" + key + ") is out of range: " + value);
        }
        return (int) value;
    }

    /** A whole number (see {@link SettingValues}); unset or empty is the default. */
    public long getLong(String key, long defaultValue) {
        String value = get(key, null);
        return value == null ? defaultValue : SettingValues.toWholeNumber(key, value);
    }

    /** A duration in the unit the key names, 0 or more (see {@link SettingValues}); unset or empty is the default. */
    public long getDuration(String key, long defaultValue) {
        String value = get(key, null);
        return value == null ? defaultValue : SettingValues.toDuration(key, value);
    }

    /** true/false, yes/no, on/off, 1/0 in any case (see {@link SettingValues}); unset or empty is the default. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String value = get(key, null);
        return value == null ? defaultValue : SettingValues.toBoolean(key, value);
    }

    /** A list setting split on commas and white space, empty entries dropped. */
    public List<String> getList(String key) {
        return split(get(key, ""));
    }

    /** A list value split on commas and white space, empty entries dropped; null is empty. */
    public static List<String> split(String value) {
        return value == null
                ? List.of()
                : Arrays.stream(value.split("[,\\s]+"))
                        .filter(s -> !s.isEmpty())
                        .toList();
    }
}
