package io.dlrhub.event;

import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where each canonical field of an adapter's events comes from, checked once when the adapter is
 * loaded (an impossible mapping stops the start, not the first webhook).
 *
 * @param fields        canonical field → webhook field (a dotted path into nested JSON) or a constant;
 *                      channel, message_id and provider_status are required
 * @param noErrorCodes  values of the error_code field that mean "no error" (Vonage "0", Infobip
 *                      "NO_ERROR"): such a webhook has no error_code, and the field stays in attributes
 * @param statusMapping the status mapping file's name (routes/mappings/&lt;name&gt;.properties), null for the provider's
 * @param timeFormat    a {@link DateTimeFormatter} pattern for occurred_at, null for ISO-8601
 */
public record EventMapping(FieldMapping fields, Set<String> noErrorCodes, String statusMapping, String timeFormat) {

    private static final Set<String> REQUIRED = Set.of("channel", "message_id", "provider_status");

    public EventMapping {
        for (String field : REQUIRED) {
            if (!fields.sources().containsKey(field)) {
                throw new IllegalArgumentException("the mapping does not say where " + field + " comes from");
            }
        }
        noErrorCodes = Set.copyOf(noErrorCodes);
        if (timeFormat != null) {
            try {
                DateTimeFormatter.ofPattern(timeFormat, Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "timeFormat '" + timeFormat + "' is not a date-time pattern: " + e.getMessage());
            }
        }
    }

    /** The mapping as the old text form writes it ("channel=channel, message_id=message_id, ..."). */
    static EventMapping parse(String requiredFields, String optionalFields, String statusMapping, String timeFormat) {
        Map<String, FieldMapping.Source> sources =
                new LinkedHashMap<>(FieldMapping.parse(requiredFields).sources());
        sources.putAll(FieldMapping.parse(optionalFields).sources());
        return new EventMapping(new FieldMapping(sources), Set.of(), statusMapping, timeFormat);
    }

    /** Builds a mapping field by field, as an adapter's {@code dlr:event} parameters give it. */
    public static Builder builder() {
        return new Builder();
    }

    /** The same mapping with the channel a constant (an adapter that works the channel out per webhook). */
    public EventMapping withChannel(String channel) {
        Map<String, FieldMapping.Source> sources = new LinkedHashMap<>(fields.sources());
        sources.put("channel", new FieldMapping.Source(null, channel));
        return new EventMapping(new FieldMapping(sources), noErrorCodes, statusMapping, timeFormat);
    }

    public static final class Builder {

        private final Map<String, FieldMapping.Source> sources = new LinkedHashMap<>();
        private Set<String> noErrorCodes = Set.of();
        private String statusMapping;
        private String timeFormat;

        public Builder field(String canonical, String webhookField) {
            if (webhookField != null) {
                if (webhookField.isBlank()) {
                    throw new IllegalArgumentException(canonical + " names an empty webhook field");
                }
                sources.put(canonical, new FieldMapping.Source(webhookField.trim(), null));
            }
            return this;
        }

        public Builder constant(String canonical, String value) {
            if (value != null) {
                if (value.isBlank()) {
                    throw new IllegalArgumentException(canonical + " is an empty constant");
                }
                if (sources.containsKey(canonical)) {
                    throw new IllegalArgumentException(
                            canonical + " is given both as a webhook field and as a constant");
                }
                sources.put(canonical, new FieldMapping.Source(null, value.trim()));
            }
            return this;
        }

        public Builder noErrorCodes(Set<String> values) {
            this.noErrorCodes = values;
            return this;
        }

        public Builder statusMapping(String name) {
            this.statusMapping = name;
            return this;
        }

        public Builder timeFormat(String pattern) {
            this.timeFormat = pattern;
            return this;
        }

        public EventMapping build() {
            return new EventMapping(new FieldMapping(sources), noErrorCodes, statusMapping, timeFormat);
        }
    }
}
