package io.dlrhub.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventFactoryTest {

    private static final String REQUIRED = "channel=chan, message_id=msg_id, provider_status=status";
    private static final String OPTIONAL = "error_code=err_code, occurred_at=done_at";
    private static final OffsetDateTime NOW = OffsetDateTime.of(2026, 11, 27, 10, 0, 1, 123_456_789, ZoneOffset.UTC);

    private EventFactory factory;

    @BeforeEach
    void setUp(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("acme.properties"), "done = DELIVERED\nbounced = FAILED\n");
        factory = new EventFactory(new StatusMappings(dir), () -> NOW);
    }

    private static Map<String, Object> webhook(Object... extra) {
        Map<String, Object> fields = new HashMap<>(Map.of("chan", "sms", "msg_id", "m-1", "status", "Done"));
        for (int i = 0; i < extra.length; i += 2) {
            fields.put((String) extra[i], extra[i + 1]);
        }
        return fields;
    }

    private CanonicalEvent create(Map<String, ?> fields) {
        return factory.create("acme", fields, REQUIRED, OPTIONAL, null, null);
    }

    private InvalidEventException refused(Map<String, ?> fields) {
        return catchThrowableOfType(InvalidEventException.class, () -> create(fields));
    }

    // --- mapping -------------------------------------------------------------------------------

    @Test
    void requiredFieldsAreTakenFromTheWebhook() {
        CanonicalEvent event = create(webhook());

        assertThat(event.provider()).isEqualTo("acme");
        assertThat(event.channel()).isEqualTo("SMS");
        assertThat(event.messageId()).isEqualTo("m-1");
        assertThat(event.status()).isEqualTo(CanonicalStatus.DELIVERED);
        assertThat(event.providerStatus()).isEqualTo("Done");
    }

    @Test
    void anUnmappedStatusIsUnknownAndKeptVerbatim() {
        CanonicalEvent event = create(webhook("status", "Brand_New"));

        assertThat(event.status()).isEqualTo(CanonicalStatus.UNKNOWN);
        assertThat(event.providerStatus()).isEqualTo("Brand_New");
    }

    @Test
    void aNamedStatusMappingIsUsedInsteadOfTheProviders() {
        CanonicalEvent event = factory.create("acme-eu", webhook(), REQUIRED, null, "acme", null);

        assertThat(event.provider()).isEqualTo("acme-eu");
        assertThat(event.status()).isEqualTo(CanonicalStatus.DELIVERED);
    }

    @Test
    void aQuotedSourceIsAConstant() {
        Map<String, Object> fields = Map.of("msg_id", "m-1", "status", "done");

        CanonicalEvent event = factory.create(
                "acme", fields, "channel='SMS', message_id=msg_id, provider_status=status", null, null, null);

        assertThat(event.channel()).isEqualTo("SMS");
    }

    @Test
    void optionalFieldsAreNullWhenAbsent() {
        CanonicalEvent event = create(webhook());

        assertThat(event.errorCode()).isNull();
        assertThat(event.occurredAt()).isNull();
    }

    @Test
    void errorCodeIsMappedWhenPresent() {
        assertThat(create(webhook("err_code", "E42")).errorCode()).isEqualTo("E42");
    }

    @Test
    void occurredAtWithAnOffsetIsConvertedToUtc() {
        OffsetDateTime occurredAt =
                create(webhook("done_at", "2026-11-27T12:00:01+02:00")).occurredAt();

        assertThat(occurredAt).isEqualTo(OffsetDateTime.of(2026, 11, 27, 10, 0, 1, 0, ZoneOffset.UTC));
        assertThat(occurredAt.getOffset()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void occurredAtInInstantFormIsAccepted() {
        OffsetDateTime occurredAt =
                create(webhook("done_at", "2026-11-27T10:00:01.500Z")).occurredAt();

        assertThat(occurredAt).isEqualTo(OffsetDateTime.of(2026, 11, 27, 10, 0, 1, 500_000_000, ZoneOffset.UTC));
    }

    @Test
    void anInvalidOccurredAtIsRefusedNamingTheSourceField() {
        InvalidEventException e = refused(webhook("done_at", "yesterday"));

        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).startsWith("done_at ");
    }

    @Test
    void everyUnmappedFieldBecomesAnAttribute() {
        CanonicalEvent event = create(
                webhook("err_code", "E1", "price", "0.05", "parts", List.of("1", "2"), "meta", Map.of("k", "v")));

        assertThat(event.attributes())
                .containsExactly(
                        Map.entry("meta", "{\"k\":\"v\"}"), Map.entry("parts", "1,2"), Map.entry("price", "0.05"));
    }

    @Test
    void aNulInAnAttributeIsRefusedNamingTheAttribute() {
        InvalidEventException e = refused(webhook("note", "a\u0000b"));

        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).startsWith("note ");
    }

    // --- dedup key -----------------------------------------------------------------------------

    @Test
    void defaultDedupKeyIsEqualForEqualWebhooks() {
        assertThat(create(webhook()).dedupKey()).isEqualTo(create(webhook()).dedupKey());
    }

    @Test
    void defaultDedupKeyDiffersWhenChannelMessageIdOrStatusDiffers() {
        String key = create(webhook()).dedupKey();

        assertThat(create(webhook("chan", "viber")).dedupKey()).isNotEqualTo(key);
        assertThat(create(webhook("msg_id", "m-2")).dedupKey()).isNotEqualTo(key);
        assertThat(create(webhook("status", "bounced")).dedupKey()).isNotEqualTo(key);
    }

    @Test
    void theChannelIsCaseInsensitiveInTheDedupKey() {
        assertThat(create(webhook("chan", "sms")).dedupKey())
                .isEqualTo(create(webhook("chan", "SMS")).dedupKey());
    }

    @Test
    void anEmptyConstantIsAConfigurationError() {
        assertThatThrownBy(() -> factory.create(
                        "acme", webhook(), "channel='', message_id=msg_id, provider_status=status", null, null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("empty constant");
    }

    @Test
    void defaultDedupKeyCannotBeForgedByShiftingTextBetweenParts() {
        String key = create(webhook("msg_id", "a", "status", "bc")).dedupKey();

        assertThat(create(webhook("msg_id", "ab", "status", "c")).dedupKey()).isNotEqualTo(key);
    }

    @Test
    void anExplicitDedupKeyIsUsedAsGiven() {
        CanonicalEvent event = factory.create("acme", webhook(), REQUIRED, OPTIONAL, null, "wh-123");

        assertThat(event.dedupKey()).isEqualTo("wh-123");
    }

    @Test
    void anExplicitDedupKeyOf512CharactersIsAccepted() {
        String key = "k".repeat(512);

        assertThat(factory.create("acme", webhook(), REQUIRED, OPTIONAL, null, key)
                        .dedupKey())
                .isEqualTo(key);
    }

    static Stream<String> badDedupKeys() {
        return Stream.of("", "   ", "k".repeat(513), "wh\n123", "wh\u0000123");
    }

    @ParameterizedTest
    @MethodSource("badDedupKeys")
    void aBlankTooLongOrControlCharacterDedupKeyIsRefused(String dedupKey) {
        InvalidEventException e = catchThrowableOfType(
                InvalidEventException.class,
                () -> factory.create("acme", webhook(), REQUIRED, OPTIONAL, null, dedupKey));

        assertThat(e.code()).isEqualTo("invalid_field");
    }

    // --- field validation ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void aBlankRequiredFieldIsMissingNamingTheSourceField(String blank) {
        InvalidEventException e = refused(webhook("status", blank));

        assertThat(e.code()).isEqualTo("missing_field");
        assertThat(e.getMessage()).startsWith("status ").doesNotContain("provider_status");
    }

    @Test
    void anAbsentRequiredFieldIsMissingNamingTheSourceField() {
        Map<String, Object> fields = webhook();
        fields.remove("msg_id");

        InvalidEventException e = refused(fields);

        assertThat(e.code()).isEqualTo("missing_field");
        assertThat(e.getMessage()).startsWith("msg_id ").doesNotContain("message_id");
    }

    @Test
    void aFieldGivenTwiceIsRefused() {
        InvalidEventException e = refused(webhook("msg_id", List.of("m-1", "m-2")));

        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).contains("msg_id").contains("given more than once");
    }

    @Test
    void aSingleElementListIsAccepted() {
        assertThat(create(webhook("msg_id", List.of("m-1"))).messageId()).isEqualTo("m-1");
    }

    @Test
    void anObjectForARequiredFieldIsRefused() {
        assertThat(refused(webhook("msg_id", Map.of("id", "m-1"))).code()).isEqualTo("invalid_field");
    }

    @Test
    void aValueOf128CharactersIsAccepted() {
        String id = "m".repeat(128);

        assertThat(create(webhook("msg_id", id)).messageId()).isEqualTo(id);
    }

    @Test
    void aValueOf129CharactersIsRefused() {
        InvalidEventException e = refused(webhook("msg_id", "m".repeat(129)));

        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).startsWith("msg_id ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"m-1\r", "m\n1", "m\u00001", "m\uD800-1", "m-1\uDC00"})
    void controlCharactersAndBrokenUnicodeAreRefused(String id) {
        InvalidEventException e = refused(webhook("msg_id", id));

        assertThat(e.code()).isEqualTo("invalid_field");
        assertThat(e.getMessage()).startsWith("msg_id ");
    }

    // --- adapter configuration -----------------------------------------------------------------

    @Test
    void aMappingWithoutMessageIdIsAConfigurationError() {
        assertThatThrownBy(() ->
                        factory.create("acme", webhook(), "channel=chan, provider_status=status", null, null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("message_id");
    }

    @Test
    void aMappingEntryWithoutEqualsSignIsAConfigurationError() {
        assertThatThrownBy(() -> factory.create(
                        "acme", webhook(), "channel, message_id=msg_id, provider_status=status", null, null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'channel'");
    }

    @Test
    void aMappingToAnUnknownCanonicalFieldIsAConfigurationError() {
        assertThatThrownBy(() -> factory.create("acme", webhook(), REQUIRED, "colour=x", null, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("colour");
    }

    // --- identity and time ---------------------------------------------------------------------

    @Test
    void receivedAtIsTheClockTruncatedToMillis() {
        assertThat(create(webhook()).receivedAt())
                .isEqualTo(OffsetDateTime.of(2026, 11, 27, 10, 0, 1, 123_000_000, ZoneOffset.UTC));
    }

    @Test
    void everyEventGetsItsOwnId() {
        CanonicalEvent first = create(webhook());
        CanonicalEvent second = create(webhook());

        assertThat(first.eventId()).isNotNull().isNotEqualTo(second.eventId());
    }
}
