package io.dlrhub.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which webhook field feeds which canonical field, as an adapter route writes it:
 * {@code "channel=channel, message_id=message_id, provider_status=status"}. A value in single
 * quotes is a constant ({@code channel='SMS'}) for providers that do not send that field.
 */
public record FieldMapping(Map<String, Source> sources) {

    static final Set<String> CANONICAL_FIELDS =
            Set.of("channel", "message_id", "provider_status", "error_code", "occurred_at");

    public record Source(String field, String constant) {

        boolean isConstant() {
            return constant != null;
        }
    }

    static FieldMapping parse(String text) {
        Map<String, Source> sources = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return new FieldMapping(sources);
        }
        for (String pair : text.split(",")) {
            String[] parts = pair.split("=", 2);
            String target = parts[0].trim();
            if (parts.length != 2 || target.isEmpty() || parts[1].isBlank()) {
                throw new IllegalStateException(
                        "Field mapping entry '" + pair.trim() + "' is not of the form canonical_field=webhook_field");
            }
            if (!CANONICAL_FIELDS.contains(target)) {
                throw new IllegalStateException("Field mapping names '" + target + "', not one of " + CANONICAL_FIELDS);
            }
            String source = parts[1].trim();
            if (source.length() >= 2 && source.startsWith("'") && source.endsWith("'")) {
                if (source.length() == 2) {
                    throw new IllegalStateException("Field mapping entry '" + pair.trim() + "' has an empty constant");
                }
                sources.put(target, new Source(null, source.substring(1, source.length() - 1)));
            } else {
                sources.put(target, new Source(source, null));
            }
        }
        return new FieldMapping(sources);
    }

    /** The webhook fields this mapping reads; everything else the provider sent becomes attributes. */
    public Set<String> sourceFields() {
        Set<String> fields = new java.util.HashSet<>();
        sources.values().stream().filter(s -> !s.isConstant()).forEach(s -> fields.add(s.field()));
        return fields;
    }
}
