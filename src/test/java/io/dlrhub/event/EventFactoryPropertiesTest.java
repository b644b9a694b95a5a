package io.dlrhub.event;

import static io.dlrhub.support.TextChecks.printable;
import static io.dlrhub.support.TextChecks.storable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Property tests of {@link EventFactory#create}: whatever a webhook carries (arbitrary maps of
 * arbitrary strings, lists and nested maps, with control characters, NUL, lone surrogates, huge
 * strings and Unicode that changes length when upper-cased), the factory either returns an event
 * that is safe to store or throws {@link InvalidEventException} (which the ingress turns into a
 * 400). Any other exception would be a 500 (or, for a value the database refuses, a 503).
 * <p>
 * Mappings are those of the shipped adapters (routes/*.camel.yaml) plus arbitrary
 * {@link FieldMapping}s built from top-level names, dotted paths and constants.
 * <p>
 * Two known bugs (the upper-cased channel, a time at the edge of java.time) are excluded from the
 * general properties with {@link Assume} (each exclusion names the exact condition); they and two
 * more (a list inside a one-element list, nesting deeper than 1000) are asserted by the
 * {@code @Disabled} tests at the end. jqwik's "outcome" statistics show how many tries made an
 * event; the coverage checks make sure that enough did.
 */
class EventFactoryPropertiesTest {

    private static final int MAX = 128;
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 11, 27, 10, 0, 1, 0, ZoneOffset.UTC);
    private static final EventFactory FACTORY =
            new EventFactory(new StatusMappings(Path.of("routes/mappings")), () -> NOW);

    /** An adapter's call of direct:accept-event: what it sets as variables. */
    record Adapter(String provider, String required, String optional, String timeFormat) {}

    /** Exactly what the shipped route files (and the README's acme example) set. */
    static final List<Adapter> SHIPPED = List.of(
            new Adapter("smsby", "channel=channel, message_id=message_id, provider_status=status", null, null),
            new Adapter(
                    "standard",
                    "channel=data.channel, message_id=data.message_id, provider_status=data.status",
                    "error_code=data.error_code, occurred_at=timestamp",
                    null),
            new Adapter(
                    "twilio",
                    "channel='WHATSAPP', message_id=MessageSid, provider_status=MessageStatus",
                    "error_code=ErrorCode",
                    null),
            new Adapter(
                    "vonage",
                    "channel='SMS', message_id=messageId, provider_status=status",
                    "error_code=err-code, occurred_at=scts",
                    "yyMMddHHmm"),
            new Adapter(
                    "infobip",
                    "channel='SMS', message_id=messageId, provider_status=status.name",
                    "error_code=error.name, occurred_at=doneAt",
                    "yyyy-MM-dd'T'HH:mm:ss.SSSZ"),
            new Adapter(
                    "acme",
                    "channel='SMS', message_id=msgid, provider_status=state",
                    "error_code=err, occurred_at=donedate",
                    "yyyyMMddHHmmss"));

    /** Time patterns an adapter may set as dlrTimeFormat (null: ISO-8601). */
    static final List<String> TIME_FORMATS = java.util.Arrays.asList(
            null,
            "yyMMddHHmm",
            "yyyyMMddHHmmss",
            "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
            "yyyy-MM-dd HH:mm:ss",
            "uuuu-MM-dd'T'HH:mm:ssXXX",
            "dd.MM.yyyy HH:mm");

    /** Names webhook fields and mapping sources are drawn from, so that mappings find something. */
    static final List<String> NAMES = List.of(
            "channel",
            "message_id",
            "status",
            "data",
            "error_code",
            "timestamp",
            "MessageSid",
            "MessageStatus",
            "ErrorCode",
            "From",
            "To",
            "messageId",
            "err-code",
            "scts",
            "doneAt",
            "error",
            "name",
            "results",
            "msgid",
            "state",
            "a",
            "b",
            "n",
            "x",
            "",
            " ",
            "token",
            "a.b",
            "n.x");

    static final List<String> PATHS = List.of(
            "channel",
            "status",
            "a",
            "b",
            "x",
            "data.channel",
            "data.status",
            "data.message_id",
            "n.a",
            "n.b",
            "n.x.a",
            "a.b",
            "status.name",
            "error.name");

    /** Pieces hostile strings are built from: controls, NUL, broken and valid surrogates, invisible and case-expanding letters. */
    static final List<String> ATOMS = List.of(
            "a",
            "Z",
            "0",
            "-",
            "_",
            ".",
            ",",
            "=",
            "&",
            "%",
            "%00",
            "'",
            "\"",
            "\\",
            " ",
            "  ",
            "\t",
            "\r",
            "\n",
            "\r\n",
            "\u0000",
            "\u0001",
            "\u001b[31m",
            "\u001f",
            "\u007f",
            "\u0085",
            "\u009f",
            "\u00a0",
            "\u2007",
            "\u3000",
            "\u2028",
            "\u2029",
            "\u200b",
            "\u200d",
            "\u200e",
            "\u202e",
            "\ufeff",
            "\ufffd",
            "\uffff",
            "\ufffe",
            "\ud800",
            "\udbff",
            "\udc00",
            "\udfff",
            "\ud83d\ude00",
            "\ud83d",
            "\ude00",
            "\ud800\ud800",
            "\u0301",
            "é",
            "Ω",
            "Я",
            "日本",
            "ß",
            "ŉ",
            "ﬃ",
            "ΐ",
            "ǰ",
            "İ",
            "ı",
            "ﬀ",
            "SENT",
            "DELIVERED",
            "sms",
            "viber",
            "whatsapp:",
            "null",
            "[]",
            "{}",
            "2026-11-27T10:00:01Z");

    // --- properties ------------------------------------------------------------------------------

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void shippedAdaptersTurnAnyFieldsIntoAValidEventOrAnInvalidEventException(
            @ForAll("adapters") Adapter adapter,
            @ForAll("webhookFields") Map<String, Object> fields,
            @ForAll("dedupKeys") String dedupKey) {
        // arbitrary maps: almost always refused (the fields the adapter reads are rarely all there)
        check(adapter, fields, "standard".equals(adapter.provider()) ? dedupKey : null);
    }

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void theRequiredFieldsInAnyFormAreValidatedOrRefused(
            @ForAll("adapters") Adapter adapter,
            @ForAll("requiredValue") Object channel,
            @ForAll("requiredValue") Object messageId,
            @ForAll("requiredValue") Object status,
            @ForAll("optionalValue") Object errorCode,
            @ForAll("optionalValue") Object occurredAt,
            @ForAll("webhookFields") Map<String, Object> rest,
            @ForAll("dedupKeys") String dedupKey) {
        // the fields each shipped adapter reads, each plausible or hostile, among arbitrary others
        Map<String, Object> fields = new LinkedHashMap<>(rest);
        FieldMapping required = FieldMapping.parse(adapter.required());
        FieldMapping optional = FieldMapping.parse(adapter.optional());
        put(fields, required.sources().get("channel"), channel);
        put(fields, required.sources().get("message_id"), messageId);
        put(fields, required.sources().get("provider_status"), status);
        put(fields, optional.sources().get("error_code"), errorCode);
        put(fields, optional.sources().get("occurred_at"), occurredAt);
        check(adapter, fields, "standard".equals(adapter.provider()) ? dedupKey : null);
        Statistics.label("outcome").coverage(c -> c.check("event").percentage(p -> p >= 10));
    }

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void fieldMappingDrivenFieldsAreValidatedOrRefused(
            @ForAll("mappings") Adapter adapter,
            @ForAll("mappedFields") Map<String, Object> rest,
            @ForAll("requiredValue") Object channel,
            @ForAll("requiredValue") Object messageId,
            @ForAll("requiredValue") Object status,
            @ForAll("optionalValue") Object errorCode,
            @ForAll("optionalValue") Object occurredAt,
            @ForAll("dedupKeys") String dedupKey) {
        // an arbitrary mapping (dotted paths, constants, optional fields in either mapping) over fields
        // that mostly hold what it reads
        Map<String, Object> fields = new LinkedHashMap<>(rest);
        FieldMapping required = FieldMapping.parse(adapter.required());
        FieldMapping optional = FieldMapping.parse(adapter.optional());
        Map<String, FieldMapping.Source> sources = new LinkedHashMap<>(optional.sources());
        sources.putAll(required.sources());
        put(fields, sources.get("channel"), channel);
        put(fields, sources.get("message_id"), messageId);
        put(fields, sources.get("provider_status"), status);
        put(fields, sources.get("error_code"), errorCode);
        put(fields, sources.get("occurred_at"), occurredAt);
        check(adapter, fields, dedupKey);
        Statistics.label("outcome").coverage(c -> c.check("event").percentage(p -> p >= 5));
    }

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void optionalFieldsAndTimeFormatsAreValidatedOrRefused(
            @ForAll("timeFormats") String timeFormat,
            @ForAll("times") Object occurredAt,
            @ForAll("hostile") Object errorCode,
            @ForAll boolean optionalInRequiredMapping) {
        // known bug 2 (see theUtcConversionOfATimeAtTheEdgeOfJavaTimeIsRefusedNotThrown): excluded here
        Assume.that(!(occurredAt instanceof String text && text.contains("999999999")));
        String optional = "error_code=err, occurred_at=done";
        String required =
                "channel='SMS', message_id=id, provider_status=st" + (optionalInRequiredMapping ? ", " + optional : "");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", "m-1");
        fields.put("st", "DELIVERED");
        fields.put("err", errorCode);
        fields.put("done", occurredAt);
        check(new Adapter("acme", required, optionalInRequiredMapping ? null : optional, timeFormat), fields, null);
        // times outside 1970..9999 are refused, so fewer random tries make an event here
        Statistics.label("outcome").coverage(c -> c.check("event").percentage(p -> p >= 3));
    }

    @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
    void nestedObjectsAsDeepAsAJsonBodyCanBeAreKeptOrRefused(
            @ForAll @IntRange(min = 1, max = 998) int depth, @ForAll("hostileString") String leaf) {
        // the JSON guard refuses bodies nested deeper than 1000 (Jackson's read limit, the root object
        // included), so an attribute of a real webhook is at most 999 deep: 'data' + 998 levels below
        check(SHIPPED.get(1), deepStandardWebhook(depth, leaf), "msg_1");
    }

    // --- known bugs: the failing assertions, kept -------------------------------------------------

    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void theChannelIsAtMost128CharactersAfterUpperCasing(@ForAll("expandingChannels") String channel) {
        Map<String, Object> fields = Map.of("channel", channel, "message_id", "m-1", "status", "SENT");
        check(SHIPPED.get(0), fields, null, false);
    }

    @Example
    void theUtcConversionOfATimeAtTheEdgeOfJavaTimeIsRefusedNotThrown() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("+999999999-12-31T23:59:59-01:00", null);
        cases.put("-999999999-01-01T00:00:00+01:00", null);
        cases.put("+999999999-12-31T23:59:59.000-0100", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        List<String> failures = new ArrayList<>();
        cases.forEach((time, format) -> {
            Map<String, Object> fields = Map.of("id", "m-1", "st", "SENT", "done", time);
            try {
                check(
                        new Adapter(
                                "acme", "channel='SMS', message_id=id, provider_status=st", "occurred_at=done", format),
                        fields,
                        null,
                        false);
            } catch (AssertionError e) {
                failures.add(time + " (" + format + "): " + e.getMessage());
            }
        });
        assertThat(failures).isEmpty();
    }

    @Example
    void aListInsideTheOneElementListIsRefused() {
        List<String> accepted = new ArrayList<>();
        for (Object messageId : List.of(List.of(List.of("a", "b")), List.of(List.of()), List.of(List.of("a")))) {
            try {
                CanonicalEvent event = FACTORY.create(
                        "vonage",
                        Map.of("messageId", messageId, "status", "delivered"),
                        SHIPPED.get(3).required(),
                        null,
                        null,
                        null,
                        null);
                accepted.add(messageId + " -> message_id '" + event.messageId() + "'");
            } catch (InvalidEventException refused) {
                // as it should be
            }
        }
        assertThat(accepted).isEmpty();
    }

    @Property(tries = 50, shrinking = ShrinkingMode.BOUNDED)
    void nestedObjectsOfAnyDepthAreKeptOrRefused(@ForAll @IntRange(min = 999, max = 1500) int depth) {
        check(SHIPPED.get(1), deepStandardWebhook(depth, "leaf"), "msg_1", false);
    }

    // --- the check ---------------------------------------------------------------------------------

    private static void check(Adapter adapter, Map<String, ?> fields, String dedupKey) {
        check(adapter, fields, dedupKey, true);
    }

    /** @param excludeKnownBugs false in the tests of the known bugs, which assert them */
    private static void check(Adapter adapter, Map<String, ?> fields, String dedupKey, boolean excludeKnownBugs) {
        CanonicalEvent event;
        try {
            event = FACTORY.create(
                    adapter.provider(),
                    fields,
                    adapter.required(),
                    adapter.optional(),
                    null,
                    dedupKey,
                    adapter.timeFormat());
        } catch (InvalidEventException refused) {
            Statistics.label("outcome").collect("refused " + refused.code());
            assertThat(refused.code()).isIn("missing_field", "invalid_field", "invalid_body");
            assertThat(refused.getMessage()).isNotBlank();
            return;
        } catch (Throwable other) {
            fail(
                    "EventFactory.create threw " + other.getClass().getName() + " (only InvalidEventException is "
                            + "allowed) for " + describe(fields),
                    other);
            return;
        }
        // known bug 1 (see theChannelIsAtMost128CharactersAfterUpperCasing): excluded here
        // (the value was checked to be at most 128 characters before upper-casing, so a longer
        // channel can only come from an upper case that is longer than the value: ß -> SS)
        if (excludeKnownBugs) {
            Assume.that(event.channel() == null || event.channel().length() <= MAX);
        }
        Statistics.label("outcome").collect("event");
        assertCanonical("channel", event.channel());
        assertCanonical("message_id", event.messageId());
        assertCanonical("provider_status", event.providerStatus());
        if (event.errorCode() != null) {
            assertCanonical("error_code", event.errorCode());
        }
        if (event.occurredAt() != null) {
            assertThat(event.occurredAt().getOffset()).isEqualTo(ZoneOffset.UTC);
        }
        assertThat(event.status()).isNotNull();
        assertThat(event.channel()).isEqualTo(event.channel().toUpperCase(Locale.ROOT));
        assertThat(event.dedupKey()).isNotBlank();
        assertThat(storable(event.dedupKey())).as("dedup key storable").isTrue();
        if (dedupKey != null) {
            assertThat(event.dedupKey()).isEqualTo(dedupKey);
            assertThat(printable(dedupKey)).as("explicit dedup key printable").isTrue();
            assertThat(dedupKey.length()).isLessThanOrEqualTo(512);
        } else {
            assertThat(event.dedupKey().length()).isLessThanOrEqualTo(3 * MAX + 2);
        }
        event.attributes().forEach((name, value) -> {
            assertThat(storable(name))
                    .as("attribute name %s has no NUL and no broken surrogate", escape(name))
                    .isTrue();
            assertThat(storable(value))
                    .as("attribute %s value has no NUL and no broken surrogate", escape(name))
                    .isTrue();
        });
        // what direct:persist-events does with it next
        assertThat(EventJson.write(event)).startsWith("{");
    }

    /** What the ingress may store in channel, message_id, provider_status and error_code. */
    private static void assertCanonical(String field, String value) {
        assertThat(value).as(field).isNotNull();
        assertThat(value.isBlank()).as("%s is blank: %s", field, escape(value)).isFalse();
        assertThat(value.length()).as("%s length: %s", field, escape(value)).isLessThanOrEqualTo(MAX);
        assertThat(printable(value))
                .as("%s is printable: %s", field, escape(value))
                .isTrue();
    }

    private static void put(Map<String, Object> fields, FieldMapping.Source source, Object value) {
        if (source == null || source.isConstant()) {
            return;
        }
        String[] parts = source.field().split("\\.");
        Map<String, Object> current = fields;
        for (int i = 0; i < parts.length - 1; i++) {
            // a copy of each nested map on the way: generated values are immutable and must stay unchanged
            Map<String, Object> nested = new LinkedHashMap<>();
            if (current.get(parts[i]) instanceof Map<?, ?> existing) {
                existing.forEach((key, inner) -> nested.put(String.valueOf(key), inner));
            }
            current.put(parts[i], nested);
            current = nested;
        }
        current.put(parts[parts.length - 1], value);
    }

    private static Map<String, Object> deepStandardWebhook(int depth, String leaf) {
        Map<String, Object> data = new LinkedHashMap<>(Map.of("channel", "SMS", "message_id", "m-1", "status", "SENT"));
        Map<String, Object> current = data;
        for (int i = 0; i < depth; i++) {
            Map<String, Object> next = new LinkedHashMap<>();
            current.put("n", next);
            current = next;
        }
        current.put("leaf", leaf);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", "message.status");
        fields.put("data", data);
        return fields;
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder();
        String shown = value.length() > 200 ? value.substring(0, 200) : value;
        for (char c : shown.toCharArray()) {
            out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out + (value.length() > 200 ? "...(" + value.length() + " chars)" : "");
    }

    private static String describe(Map<String, ?> fields) {
        String text = String.valueOf(fields);
        return escape(text.length() > 500 ? text.substring(0, 500) : text);
    }

    // --- generators ---------------------------------------------------------------------------------

    @Provide
    Arbitrary<Adapter> adapters() {
        return Arbitraries.of(SHIPPED);
    }

    @Provide
    Arbitrary<String> timeFormats() {
        return Arbitraries.of(TIME_FORMATS);
    }

    @Provide
    Arbitrary<String> dedupKeys() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, hostileString()),
                Tuple.of(
                        1,
                        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(600)),
                Tuple.of(1, Arbitraries.just("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")));
    }

    /** A string of the kind an attacker sends. */
    @Provide
    Arbitrary<String> hostileString() {
        Arbitrary<String> atoms = Arbitraries.of(ATOMS).list().ofMaxSize(60).map(l -> String.join("", l));
        Arbitrary<String> anyChars = Arbitraries.strings().all().ofMaxLength(160);
        Arbitrary<String> printableNear128 = Arbitraries.strings()
                .withCharRange('!', '~')
                .withChars("éЯ日Ωßŉΐİıǰﬃﬀÿ")
                .ofMinLength(120)
                .ofMaxLength(135);
        Arbitrary<String> atomNear128 = Combinators.combine(
                        Arbitraries.of(ATOMS), Arbitraries.integers().between(1, 140))
                .as((atom, n) -> atom.repeat(Math.max(1, n / Math.max(1, atom.length()))));
        Arbitrary<String> huge = Combinators.combine(
                        Arbitraries.of(ATOMS), Arbitraries.integers().between(1_000, 300_000))
                .as((atom, n) -> atom.repeat(Math.max(1, n / Math.max(1, atom.length()))));
        Arbitrary<String> blank =
                Arbitraries.of("", " ", "\t", "\n", "\r\n", "   ", "\u3000", "\u2003", "\u000b", "\u001c");
        return Arbitraries.frequencyOf(
                Tuple.of(5, atoms),
                Tuple.of(4, anyChars),
                Tuple.of(2, printableNear128),
                Tuple.of(2, atomNear128),
                Tuple.of(2, blank),
                Tuple.of(2, Arbitraries.of("SMS", "viber", "m-1", "SENT", "delivered", "30003", "NO_ERROR")),
                Tuple.of(1, huge));
    }

    @Provide
    Arbitrary<String> expandingChannels() {
        // printable channels of up to 128 characters that contain letters whose upper case is longer
        return Arbitraries.strings()
                .withChars("aZ09-_ßŉΐΰǰﬀﬁﬂﬃﬄﬅﬆ")
                .ofMinLength(1)
                .ofMaxLength(MAX);
    }

    /** Values a provider could well send: printable, 1 to 128 characters, some of them odd. */
    @Provide
    Arbitrary<String> benign() {
        return Arbitraries.frequencyOf(
                Tuple.of(
                        5,
                        Arbitraries.strings()
                                .alpha()
                                .numeric()
                                .withChars("-_.:+@/ ")
                                .ofMinLength(1)
                                .ofMaxLength(40)),
                Tuple.of(
                        2,
                        Arbitraries.strings()
                                .alpha()
                                .numeric()
                                .withChars("éЯ日Ω€\u00a0\u2028\u200d-")
                                .ofMinLength(1)
                                .ofMaxLength(MAX)),
                Tuple.of(1, Arbitraries.strings().alpha().numeric().ofLength(MAX)),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                "SMS",
                                "viber",
                                "WhatsApp",
                                "DELIVERED",
                                "sent",
                                "failed",
                                "30003",
                                "\ud83d\ude00",
                                "EC_ABSENT_SUBSCRIBER",
                                " leading",
                                "trailing ",
                                "a\u0301")));
    }

    /** A required field's value: mostly plausible (so that events are made), sometimes hostile. */
    @Provide
    Arbitrary<Object> requiredValue() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, benign().map(v -> (Object) v)),
                Tuple.of(1, benign().map(v -> (Object) List.of(v))),
                Tuple.of(1, Arbitraries.longs().map(v -> (Object) v)),
                Tuple.of(4, value(2)));
    }

    /** An optional field's value: absent, plausible, a time in one of the formats, or hostile. */
    @Provide
    Arbitrary<Object> optionalValue() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(null)),
                Tuple.of(3, benign().map(v -> (Object) v)),
                Tuple.of(3, times()),
                Tuple.of(2, value(2)));
    }

    /** A value as form or JSON decoding leaves it: text, number, boolean, null, list or object. */
    @Provide
    Arbitrary<Object> hostile() {
        return value(3);
    }

    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> scalar = Arbitraries.frequencyOf(
                Tuple.of(8, hostileString().map(s -> (Object) s)),
                Tuple.of(1, Arbitraries.integers().map(i -> (Object) i)),
                Tuple.of(1, Arbitraries.longs().map(l -> (Object) l)),
                Tuple.of(1, Arbitraries.doubles().map(d -> (Object) d)),
                Tuple.of(
                        1,
                        Arbitraries.bigIntegers()
                                .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(200))
                                .map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.bigDecimals().map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.of(Boolean.TRUE, Boolean.FALSE).map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.just(null)));
        if (depth == 0) {
            return scalar;
        }
        Supplier<Arbitrary<Object>> deeper = () -> value(depth - 1);
        Arbitrary<Object> list = Arbitraries.lazy(deeper).list().ofMaxSize(4).map(l -> (Object) l);
        Arbitrary<Object> map = Arbitraries.maps(keys(), Arbitraries.lazy(deeper))
                .ofMaxSize(4)
                .map(m -> (Object) new LinkedHashMap<>(m));
        return Arbitraries.frequencyOf(Tuple.of(8, scalar), Tuple.of(2, list), Tuple.of(2, map));
    }

    private Arbitrary<String> keys() {
        return Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of(NAMES)), Tuple.of(1, hostileString()));
    }

    @Provide
    Arbitrary<Map<String, Object>> webhookFields() {
        return Arbitraries.maps(keys(), value(3)).ofMaxSize(8).map(LinkedHashMap::new);
    }

    @Provide
    Arbitrary<Adapter> mappings() {
        Arbitrary<String> source = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(PATHS)),
                Tuple.of(
                        1,
                        Arbitraries.of("'SMS'", "'viber'", "'DELIVERED'", "'m-1'", "'E1'", "'2026-11-27T10:00:01Z'")));
        Arbitrary<String> optionalTarget = Arbitraries.of("error_code", "occurred_at");
        Arbitrary<List<String>> optional = Combinators.combine(optionalTarget, source)
                .as((t, s) -> t + "=" + s)
                .list()
                .ofMaxSize(2);
        return Combinators.combine(
                        source,
                        source,
                        source,
                        optional,
                        Arbitraries.of(TIME_FORMATS),
                        Arbitraries.of(Boolean.TRUE, Boolean.FALSE))
                .as((channel, id, status, opt, format, inRequired) -> {
                    String required = "channel=" + channel + ", message_id=" + id + ", provider_status=" + status;
                    String optionalText = opt.isEmpty() ? null : String.join(", ", opt);
                    if (inRequired && optionalText != null) {
                        return new Adapter("acme", required + ", " + optionalText, null, format);
                    }
                    return new Adapter("acme", required, optionalText, format);
                });
    }

    /** Fields whose names and nested paths are those the generated mappings read. */
    @Provide
    Arbitrary<Map<String, Object>> mappedFields() {
        Arbitrary<Object> leaf = Arbitraries.frequencyOf(Tuple.of(4, value(1)), Tuple.of(1, times()));
        Arbitrary<Object> nested = Arbitraries.maps(
                        Arbitraries.of("a", "b", "x", "channel", "status", "message_id", "name", "error_code"),
                        Arbitraries.frequencyOf(
                                Tuple.of(3, leaf),
                                Tuple.of(
                                        1,
                                        Arbitraries.maps(Arbitraries.of("a", "b", "x"), leaf)
                                                .ofMaxSize(3)
                                                .map(m -> (Object) new LinkedHashMap<>(m)))))
                .ofMaxSize(5)
                .map(m -> (Object) new LinkedHashMap<>(m));
        return Arbitraries.maps(
                        Arbitraries.frequencyOf(
                                Tuple.of(
                                        4,
                                        Arbitraries.of(
                                                "channel", "status", "a", "b", "x", "n", "data", "error", "a.b",
                                                "n.x")),
                                Tuple.of(1, hostileString())),
                        Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(2, nested)))
                .ofMaxSize(8)
                .map(LinkedHashMap::new);
    }

    /** Times, well-formed and not, in every format an adapter may use, and around the edges of java.time. */
    @Provide
    Arbitrary<Object> times() {
        Arbitrary<Integer> year = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(1900, 2100)),
                Tuple.of(
                        1,
                        Arbitraries.of(
                                -999_999_998,
                                -10_000,
                                -1,
                                0,
                                1,
                                9_999,
                                10_000,
                                99_999,
                                294_276,
                                294_277,
                                1_000_000,
                                999_999_998)),
                Tuple.of(1, Arbitraries.integers().between(-999_999_998, 999_999_998)));
        Arbitrary<Integer> two = Arbitraries.integers().between(0, 61);
        Arbitrary<String> offset = Arbitraries.of(
                "Z", "z", "+00:00", "-00:00", "+01:00", "-18:00", "+18:00", "+18:01", "-19:00", "+0100", "-1000",
                "+99:99", "", "+01", "GMT", "UTC");
        Arbitrary<String> iso = Combinators.combine(year, two, two, two, two, two, offset)
                .as((y, mo, d, h, mi, s, off) -> String.format(
                        Locale.ROOT,
                        "%s-%02d-%02dT%02d:%02d:%02d%s",
                        y > 9999 ? "+" + y : y < 0 ? String.valueOf(y) : String.format("%04d", y),
                        mo % 14,
                        d % 33,
                        h % 26,
                        mi,
                        s,
                        off));
        Arbitrary<String> fraction = Combinators.combine(
                        iso, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12))
                .as((t, f) -> t.replaceFirst("(\\d\\d:\\d\\d:\\d\\d)", "$1." + f));
        Arbitrary<String> compact = Combinators.combine(year, two, two, two, two, two)
                .as((y, mo, d, h, mi, s) ->
                        String.format(Locale.ROOT, "%d%02d%02d%02d%02d%02d", y, mo % 14, d % 33, h % 26, mi, s));
        Arbitrary<String> infobip = Combinators.combine(year, two, two, two, offset)
                .as((y, mo, d, h, off) -> String.format(
                        Locale.ROOT,
                        "%s-%02d-%02dT%02d:00:00.000%s",
                        y > 9999 ? "+" + y : String.valueOf(y),
                        mo % 14,
                        d % 33,
                        h % 26,
                        off.replace(":", "")));
        Arbitrary<String> vonage =
                Arbitraries.strings().numeric().ofMinLength(8).ofMaxLength(12);
        Arbitrary<String> spoiled = Combinators.combine(
                        iso, Arbitraries.of(ATOMS), Arbitraries.integers().between(0, 30))
                .as((t, atom, at) ->
                        t.substring(0, Math.min(at, t.length())) + atom + t.substring(Math.min(at, t.length())));
        return Arbitraries.frequencyOf(
                        Tuple.of(4, iso),
                        Tuple.of(2, fraction),
                        Tuple.of(2, compact),
                        Tuple.of(2, infobip),
                        Tuple.of(2, vonage),
                        Tuple.of(3, spoiled),
                        Tuple.of(2, hostileString()),
                        Tuple.of(
                                1,
                                Arbitraries.of(
                                        List.of("2026-11-27T10:00:01Z"),
                                        List.of("2026-11-27T10:00:01Z", "x"),
                                        Map.of("at", "2026-11-27T10:00:01Z"),
                                        1764237601L,
                                        1.5e9)))
                .map(v -> (Object) v);
    }
}
