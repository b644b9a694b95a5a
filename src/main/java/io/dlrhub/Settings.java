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
        return context.getPropertiesComponent().resolveProperty(key)
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

    public int getInt(String key, int defaultValue) {
        long value = getLong(key, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalStateException("Setting " + key + " is out of range: " + value);
        }
        return (int) value;
    }

    public long getLong(String key, long defaultValue) {
        String value = get(key, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Setting " + key + " must be a whole number, got '" + value + "'");
        }
    }

    /** true or false (any case); anything else is refused rather than read as false. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String value = get(key, null);
        if (value == null) {
            return defaultValue;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalStateException("Setting " + key + " must be true or false, got '" + value + "'");
    }

    /** A list setting split on commas and white space, empty entries dropped. */
    public List<String> getList(String key) {
        return split(get(key, ""));
    }

    /** A list value split on commas and white space, empty entries dropped; null is empty. */
    public static List<String> split(String value) {
        return value == null ? List.of() : Arrays.stream(value.split("[,\\s]+")).filter(s -> !s.isEmpty()).toList();
    }
}
