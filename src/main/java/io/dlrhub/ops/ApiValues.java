package io.dlrhub.ops;

import io.dlrhub.event.CanonicalStatus;
import io.dlrhub.store.EventSearch;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Collectors;

/** Parameter values of the operations API, each refused with a 400 that names the parameter. */
final class ApiValues {

    private ApiValues() {}

    /** An ISO-8601 time with its offset (2026-01-31T12:00:00Z, or +03:00), or null. */
    static OffsetDateTime time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).withOffsetSameInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    name + " must be an ISO-8601 time with an offset, e.g. 2026-01-31T12:00:00Z"
                            + " (in a URL, + is written %2B)");
        }
    }

    /** A whole number from {@code min} to {@code max}; {@code fallback} when absent. */
    static int number(String name, String value, int min, int max, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException(name + " must be a number from " + min + " to " + max);
    }

    /** A positive id (a delivery's or a job's). */
    static long id(String name, String value) {
        try {
            long id = Long.parseLong(value);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new IllegalArgumentException(name + " must be a positive number");
    }

    static UUID uuid(String name, String value) {
        try {
            if (value != null && value.length() == 36) {
                return UUID.fromString(value);
            }
        } catch (IllegalArgumentException ignored) {
            // answered below
        }
        throw new IllegalArgumentException(name + " must be a UUID, e.g. 01a22d85-58a0-7eb0-ab08-2652940064eb");
    }

    /** A canonical status in any case, as stored (upper case), or null. */
    static String status(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return CanonicalStatus.valueOf(value.toUpperCase(Locale.ROOT)).name();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " must be one of "
                    + Arrays.stream(CanonicalStatus.values()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    static String sinkState(String name, String value) {
        if (value != null && !EventSearch.SINK_STATES.contains(value)) {
            throw new IllegalArgumentException(name + " must be one of " + String.join(", ", EventSearch.SINK_STATES));
        }
        return value;
    }

    /** from before to, when both are given. */
    static void range(String fromName, OffsetDateTime from, String toName, OffsetDateTime to) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new IllegalArgumentException(fromName + " must be before " + toName);
        }
    }

    /** message_id and message_id_prefix exclude each other. */
    static void oneOf(String name, String value, String otherName, String other) {
        if (value != null && other != null) {
            throw new IllegalArgumentException("give " + name + " or " + otherName + ", not both");
        }
    }
}
