package io.dlrhub.event;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Turns what a provider adapter extracted into a validated canonical event. Adapters are YAML
 * routes; they hand over the webhook fields as a map and say which field is which (see
 * {@link FieldMapping}). Everything the mapping does not read is kept in {@code attributes}.
 */
public class EventFactory {

    static final int MAX_FIELD_LENGTH = 128;
    static final int MAX_DEDUP_KEY_LENGTH = 512;
    /** Unit separator: cannot occur in the (printable) parts, so two different parts never make one key. */
    private static final String KEY_SEPARATOR = "\u001f";

    /**
     * The route files' time patterns, compiled once: a pattern is parsed in microseconds, which a
     * request of 1,000 reports would otherwise pay 1,000 times. Only patterns of loaded route files
     * (checked there) get here, never a request's text, so the map stays small.
     */
    private static final Map<String, DateTimeFormatter> FORMATTERS = new ConcurrentHashMap<>();

    private final StatusMappings statusMappings;
    private final Supplier<OffsetDateTime> clock;

    public EventFactory(StatusMappings statusMappings, Supplier<OffsetDateTime> clock) {
        this.statusMappings = statusMappings;
        this.clock = clock;
    }

    public EventFactory(StatusMappings statusMappings) {
        this(statusMappings, () -> OffsetDateTime.now(ZoneOffset.UTC));
    }

    /**
     * @param provider       provider name from the webhook URL
     * @param fields         the webhook's fields (form fields or a JSON object)
     * @param requiredFields mapping for channel, message_id and provider_status
     * @param optionalFields mapping for error_code and occurred_at, may be null
     * @param statusMapping  name of the status mapping file, null for the provider's own
     * @param dedupKey       the provider's identity for this webhook, null for channel + message_id + provider_status
     */
    public CanonicalEvent create(
            String provider,
            Map<String, ?> fields,
            String requiredFields,
            String optionalFields,
            String statusMapping,
            String dedupKey) {
        return create(provider, fields, requiredFields, optionalFields, statusMapping, dedupKey, null);
    }

    /**
     * @param timeFormat a {@link DateTimeFormatter} pattern for occurred_at (UTC unless it has an
     *                   offset), null for ISO-8601
     */
    public CanonicalEvent create(
            String provider,
            Map<String, ?> fields,
            String requiredFields,
            String optionalFields,
            String statusMapping,
            String dedupKey,
            String timeFormat) {
        EventMapping mapping;
        try {
            mapping = EventMapping.parse(requiredFields, optionalFields, statusMapping, timeFormat);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The " + provider + " adapter is broken: " + e.getMessage(), e);
        }
        return create(provider, fields, mapping, dedupKey);
    }

    /**
     * @param mapping  where each canonical field comes from (checked when the adapter was loaded)
     * @param dedupKey the provider's identity for this webhook, null for channel + message_id + provider_status
     */
    public CanonicalEvent create(String provider, Map<String, ?> fields, EventMapping mapping, String dedupKey) {
        Map<String, FieldMapping.Source> sources = mapping.fields().sources();
        String channel = value(fields, sources.get("channel"), true).toUpperCase(Locale.ROOT);
        if (channel.length() > MAX_FIELD_LENGTH) {
            // upper case can be longer than the original (ß becomes SS)
            throw InvalidEventException.invalid(
                    sourceName(sources.get("channel"), "channel"),
                    "is longer than " + MAX_FIELD_LENGTH + " characters");
        }
        String messageId = value(fields, sources.get("message_id"), true);
        String providerStatus = value(fields, sources.get("provider_status"), true);
        Set<String> used = mapping.fields().sourceFields();
        String errorCode = value(fields, sources.get("error_code"), false);
        if (errorCode != null && mapping.noErrorCodes().contains(errorCode)) {
            // "no error" is not an error code: the field stays in attributes as the provider sent it
            errorCode = null;
            used.remove(sources.get("error_code").field());
        }
        OffsetDateTime occurredAt = timestamp(fields, sources.get("occurred_at"), mapping.timeFormat());

        String key = dedupKey != null ? dedupKey : String.join(KEY_SEPARATOR, channel, messageId, providerStatus);
        if (dedupKey != null
                && (dedupKey.isBlank() || dedupKey.length() > MAX_DEDUP_KEY_LENGTH || !Text.isPrintable(dedupKey))) {
            throw InvalidEventException.invalid(
                    "the webhook id", "must be a printable value of at most " + MAX_DEDUP_KEY_LENGTH + " characters");
        }
        CanonicalStatus status = statusMappings.map(
                mapping.statusMapping() != null ? mapping.statusMapping() : provider, providerStatus);
        OffsetDateTime receivedAt = clock.get().truncatedTo(ChronoUnit.MILLIS);
        return new CanonicalEvent(
                EventIds.at(receivedAt.toInstant().toEpochMilli()),
                provider,
                channel,
                messageId,
                status,
                providerStatus,
                errorCode,
                occurredAt,
                receivedAt,
                attributes(fields, used),
                key);
    }

    private static String value(Map<String, ?> fields, FieldMapping.Source source, boolean required) {
        if (source == null) {
            return null;
        }
        if (source.isConstant()) {
            return source.constant();
        }
        String name = source.field();
        Object raw = lookup(fields, name);
        if (raw instanceof Collection<?> values) {
            if (values.size() > 1) {
                throw InvalidEventException.invalid(name, "is given more than once");
            }
            raw = values.isEmpty() ? null : values.iterator().next();
        }
        if (raw instanceof Map<?, ?> || raw instanceof Collection<?>) {
            throw InvalidEventException.invalid(name, "must be a single value, not an object or a list");
        }
        // not trimmed: a trailing control character must be refused, not silently dropped
        String value = raw == null ? null : raw.toString();
        if (value == null || value.isBlank()) {
            if (required) {
                throw InvalidEventException.missing(name);
            }
            return null;
        }
        if (value.length() > MAX_FIELD_LENGTH) {
            throw InvalidEventException.invalid(name, "is longer than " + MAX_FIELD_LENGTH + " characters");
        }
        if (!Text.isPrintable(value)) {
            throw InvalidEventException.invalid(name, "contains characters that are not printable");
        }
        return value;
    }

    /** A field by name, or inside nested objects by a dotted path ({@code status.name}). */
    private static Object lookup(Map<String, ?> fields, String name) {
        if (fields.containsKey(name) || name.indexOf('.') < 0) {
            return fields.get(name);
        }
        Object current = fields;
        for (String part : name.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(part);
        }
        return current;
    }

    private static OffsetDateTime timestamp(Map<String, ?> fields, FieldMapping.Source source, String timeFormat) {
        String value = value(fields, source, false);
        if (value == null) {
            return null;
        }
        String name = sourceName(source, "occurred_at");
        OffsetDateTime time;
        try {
            time = parseTime(value, timeFormat, name);
        } catch (java.time.DateTimeException outOfRange) {
            throw InvalidEventException.invalid(name, "is not a time that can be stored");
        }
        // every database we support stores these years; far-off ones are mistakes, not delivery times
        if (time.getYear() < 1970 || time.getYear() > 9999) {
            throw InvalidEventException.invalid(name, "is not a time between the years 1970 and 9999");
        }
        return time;
    }

    private static String sourceName(FieldMapping.Source source, String canonical) {
        return source == null || source.isConstant() ? canonical : source.field();
    }

    private static OffsetDateTime parseTime(String value, String timeFormat, String name) {
        if (timeFormat != null) {
            try {
                TemporalAccessor parsed = FORMATTERS
                        .computeIfAbsent(timeFormat, pattern -> DateTimeFormatter.ofPattern(pattern, Locale.ROOT))
                        .parseBest(value, OffsetDateTime::from, LocalDateTime::from);
                return parsed instanceof OffsetDateTime time
                        ? time.withOffsetSameInstant(ZoneOffset.UTC)
                        : ((LocalDateTime) parsed).atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw InvalidEventException.invalid(name, "is not a time of the form " + timeFormat);
            }
        }
        try {
            return OffsetDateTime.parse(value).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notOffset) {
            try {
                return Instant.parse(value).atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException notInstant) {
                throw InvalidEventException.invalid(name, "is not an ISO-8601 time such as 2026-11-27T10:00:01Z");
            }
        }
    }

    /**
     * Every field the mapping does not read, as text. Of a nested object only what was not
     * mapped is kept, so no value is stored twice.
     */
    private static Map<String, String> attributes(Map<String, ?> fields, Set<String> used) {
        Map<String, String> attributes = new TreeMap<>();
        fields.forEach((name, raw) -> {
            if (used.contains(name) || raw == null) {
                return;
            }
            Object rest = raw instanceof Map<?, ?> nested ? without(nested, name, used) : raw;
            if (rest instanceof Map<?, ?> remaining && remaining.isEmpty()) {
                return;
            }
            String value = rest instanceof Collection<?> values
                    ? String.join(",", values.stream().map(String::valueOf).toList())
                    : rest instanceof Map<?, ?> ? nestedJson(name, rest) : rest.toString();
            if (!Text.isStorable(name) || !Text.isStorable(value)) {
                throw InvalidEventException.invalid(name, "contains a NUL byte or broken Unicode");
            }
            attributes.put(name, value);
        });
        return attributes;
    }

    private static String nestedJson(String name, Object nested) {
        try {
            return EventJson.write(nested);
        } catch (IllegalStateException tooDeep) {
            throw InvalidEventException.invalid(name, "is nested too deeply");
        }
    }

    /** A copy of a nested object without the dotted paths (below {@code prefix}) the mapping read. */
    private static Map<String, Object> without(Map<?, ?> nested, String prefix, Set<String> used) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>();
        nested.forEach((key, value) -> {
            String path = prefix + "." + key;
            if (used.contains(path)) {
                return;
            }
            if (value instanceof Map<?, ?> deeper) {
                Map<String, Object> rest = without(deeper, path, used);
                if (!rest.isEmpty() || deeper.isEmpty()) {
                    copy.put(String.valueOf(key), rest);
                }
            } else {
                copy.put(String.valueOf(key), value);
            }
        });
        return copy;
    }
}
