package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderAuthenticatorTest {

    private static final String BASE_URL = "https://dlr.example.org";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final byte[] SECRET_KEY = "a 32-byte secret for the provider".getBytes(StandardCharsets.US_ASCII);
    private static final String WEBHOOK_SECRET = "whsec_" + Base64.getEncoder().encodeToString(SECRET_KEY);
    private static final String TWILIO_TOKEN = "twilio-auth-token-1234567890";

    private final Map<String, String> settings = new HashMap<>();

    @TempDir
    Path directory;

    private Path tokensFile;

    @BeforeEach
    void tokensFile() {
        tokensFile = directory.resolve("generated-tokens.properties");
    }

    private ProviderAuthenticator authenticator() {
        return authenticator(BASE_URL);
    }

    private ProviderAuthenticator authenticator(String baseUrl) {
        return new ProviderAuthenticator(settings::get, CLOCK, baseUrl, new GeneratedTokens(tokensFile));
    }

    private static WebhookRequest request(String uri, Map<String, List<String>> headers, String body, String remote) {
        return new WebhookRequest("POST", uri, headers, body.getBytes(StandardCharsets.UTF_8), remote);
    }

    private static WebhookRequest request(String uri, String remote) {
        return request(uri, Map.of(), "", remote);
    }

    // ---- no settings ------------------------------------------------------------------------

    @Test
    void generatesOneTokenSchemeForAProviderWithoutSettings() {
        ProviderAuthenticator authenticator = authenticator();

        List<AuthScheme> schemes = authenticator.schemesOf("acme");

        assertThat(schemes).hasSize(1);
        assertThat(schemes.get(0)).isInstanceOf(TokenScheme.class);
        assertThat(authenticator.schemesOf("acme")).isSameAs(schemes);
        assertThat(authenticator.schemesOf("acme").get(0)).isSameAs(schemes.get(0));
    }

    @Test
    void refusesARequestWithoutTokenForAProviderWithoutSettings() {
        ProviderAuthenticator authenticator = authenticator();

        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(
                        () -> authenticator.authenticate("acme", request("/webhooks/acme?token=guess", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void generatesADifferentTokenForEachProvider() {
        ProviderAuthenticator authenticator = authenticator();

        assertThat(authenticator.schemesOf("acme").get(0))
                .isNotSameAs(authenticator.schemesOf("other").get(0));
    }

    @Test
    void acceptsTheTokenKeptInTheGeneratedTokensFile() throws Exception {
        ProviderAuthenticator authenticator = authenticator();
        authenticator.schemesOf("acme");
        String token = new GeneratedTokens(tokensFile).tokenFor("acme");

        assertThatCode(() ->
                        authenticator.authenticate("acme", request("/webhooks/acme?token=" + token, "203.0.113.5")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() ->
                        authenticator.authenticate("other", request("/webhooks/other?token=" + token, "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void fallsBackToATokenForThisRunWhenNoneCanBeKept() throws Exception {
        Files.writeString(directory.resolve("not-a-directory"), "x");
        tokensFile = directory.resolve("not-a-directory").resolve("generated-tokens.properties");
        ProviderAuthenticator authenticator = authenticator();

        assertThat(authenticator.schemesOf("acme")).singleElement().isInstanceOf(TokenScheme.class);
        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void generatesATokenForThisRunWithoutAGeneratedTokensFile() {
        ProviderAuthenticator authenticator = new ProviderAuthenticator(settings::get, CLOCK, BASE_URL, null);

        assertThat(authenticator.schemesOf("acme")).singleElement().isInstanceOf(TokenScheme.class);
        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
        assertThat(directory).isEmptyDirectory();
    }

    // ---- tokens + allowlist -----------------------------------------------------------------

    @Test
    void acceptsAConfiguredTokenAloneWithoutGeneratingOne() {
        settings.put("acme.tokens", "tok-one, tok-two");
        ProviderAuthenticator authenticator = authenticator();

        assertThat(authenticator.schemesOf("acme")).singleElement().isInstanceOf(TokenScheme.class);
        assertThatCode(() ->
                        authenticator.authenticate("acme", request("/webhooks/acme?token=tok-one", "198.51.100.1")))
                .doesNotThrowAnyException();
        assertThatCode(() ->
                        authenticator.authenticate("acme", request("/webhooks/acme?token=tok-two", "198.51.100.1")))
                .doesNotThrowAnyException();
    }

    @Test
    void splitsListSettingsOnCommasAndWhitespace() {
        settings.put("acme.tokens", " ,tok-one \n tok-two,,");
        ProviderAuthenticator authenticator = authenticator();

        assertThat(authenticator.schemesOf("acme").get(0).describe()).isEqualTo("2 token(s)");
    }

    @Test
    void requiresBothTheTokenAndAnAllowedAddress() {
        settings.put("acme.tokens", "tok-one");
        settings.put("acme.allowed-ips", "203.0.113.0/24");
        ProviderAuthenticator authenticator = authenticator();

        assertThat(authenticator.schemesOf("acme")).hasSize(2);
        assertThatCode(() -> authenticator.authenticate("acme", request("/webhooks/acme?token=tok-one", "203.0.113.5")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() ->
                        authenticator.authenticate("acme", request("/webhooks/acme?token=tok-one", "198.51.100.1")))
                .isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(
                        () -> authenticator.authenticate("acme", request("/webhooks/acme?token=wrong", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void anAllowlistAloneDoesNotGenerateAToken() {
        settings.put("acme.allowed-ips", "203.0.113.5");
        ProviderAuthenticator authenticator = authenticator();

        assertThat(authenticator.schemesOf("acme")).singleElement().isInstanceOf(IpAllowlist.class);
        assertThatCode(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.6")))
                .isInstanceOf(ForbiddenException.class);
    }

    @Test
    void usesTheGlobalTrustedProxiesForTheAllowlist() {
        settings.put("acme.allowed-ips", "203.0.113.9");
        settings.put("trusted-proxies", "10.0.0.0/8");
        ProviderAuthenticator authenticator = authenticator();

        WebhookRequest proxied =
                request("/webhooks/acme", Map.of("X-Forwarded-For", List.of("203.0.113.9")), "", "10.0.0.1");
        WebhookRequest spoofed =
                request("/webhooks/acme", Map.of("X-Forwarded-For", List.of("203.0.113.9")), "", "198.51.100.1");

        assertThatCode(() -> authenticator.authenticate("acme", proxied)).doesNotThrowAnyException();
        assertThatThrownBy(() -> authenticator.authenticate("acme", spoofed)).isInstanceOf(ForbiddenException.class);
    }

    // ---- Basic ------------------------------------------------------------------------------

    @Test
    void refusesABasicUserWithoutAPassword() {
        settings.put("acme.basic-user", "acme");
        ProviderAuthenticator authenticator = authenticator();

        assertThatThrownBy(() -> authenticator.schemesOf("acme")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesABasicPasswordWithoutAUser() {
        settings.put("acme.basic-password", "pw");

        assertThatThrownBy(() -> authenticator().schemesOf("acme")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsConfiguredBasicCredentials() {
        settings.put("acme.basic-user", "acme");
        settings.put("acme.basic-password", "pw:with:colons");
        ProviderAuthenticator authenticator = authenticator();
        String credentials = Base64.getEncoder().encodeToString("acme:pw:with:colons".getBytes(StandardCharsets.UTF_8));

        assertThatCode(() -> authenticator.authenticate(
                        "acme",
                        request(
                                "/webhooks/acme",
                                Map.of("Authorization", List.of("Basic " + credentials)),
                                "",
                                "203.0.113.5")))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> authenticator.authenticate("acme", request("/webhooks/acme", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    // ---- Standard Webhooks ------------------------------------------------------------------

    private static String standardWebhooksSignature(byte[] key, String id, long timestamp, String body)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] signature = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(signature);
    }

    private static WebhookRequest standardWebhook(String id, long timestamp, String signature, String body) {
        Map<String, List<String>> headers = new TreeMap<>();
        headers.put("webhook-id", List.of(id));
        headers.put("webhook-timestamp", List.of(Long.toString(timestamp)));
        if (signature != null) {
            headers.put("webhook-signature", List.of(signature));
        }
        headers.put("Content-Type", List.of("application/json"));
        return request("/webhooks/acme", headers, body, "203.0.113.5");
    }

    @Test
    void acceptsACorrectlySignedStandardWebhook() throws GeneralSecurityException {
        settings.put("acme.webhook-secrets", WEBHOOK_SECRET);
        ProviderAuthenticator authenticator = authenticator();
        String body = "{\"id\":\"m-1\",\"status\":\"delivered\"}";
        long timestamp = NOW.getEpochSecond();
        String signature = standardWebhooksSignature(SECRET_KEY, "msg_1", timestamp, body);

        assertThat(authenticator.schemesOf("acme")).singleElement().isInstanceOf(StandardWebhooksScheme.class);
        assertThatCode(() -> authenticator.authenticate("acme", standardWebhook("msg_1", timestamp, signature, body)))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesAnUnsignedOrWronglySignedStandardWebhook() throws GeneralSecurityException {
        settings.put("acme.webhook-secrets", WEBHOOK_SECRET);
        ProviderAuthenticator authenticator = authenticator();
        String body = "{\"id\":\"m-1\",\"status\":\"delivered\"}";
        long timestamp = NOW.getEpochSecond();
        String signature = standardWebhooksSignature(SECRET_KEY, "msg_1", timestamp, body);

        assertThatThrownBy(() ->
                        authenticator.authenticate("acme", request("/webhooks/acme", Map.of(), body, "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() -> authenticator.authenticate("acme", standardWebhook("msg_1", timestamp, null, body)))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() -> authenticator.authenticate(
                        "acme", standardWebhook("msg_1", timestamp, signature, body.replace("delivered", "failed"))))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() -> authenticator.authenticate(
                        "acme",
                        standardWebhook(
                                "msg_1",
                                timestamp,
                                standardWebhooksSignature(
                                        "other key".getBytes(StandardCharsets.US_ASCII), "msg_1", timestamp, body),
                                body)))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void refusesAStandardWebhookSignedTooLongAgoByTheGivenClock() throws GeneralSecurityException {
        settings.put("acme.webhook-secrets", WEBHOOK_SECRET);
        ProviderAuthenticator authenticator = authenticator();
        String body = "{}";
        long stale = NOW.getEpochSecond() - 3600;

        assertThatThrownBy(() -> authenticator.authenticate(
                        "acme",
                        standardWebhook(
                                "msg_1", stale, standardWebhooksSignature(SECRET_KEY, "msg_1", stale, body), body)))
                .isInstanceOf(UnauthenticatedException.class);
    }

    // ---- Twilio -----------------------------------------------------------------------------

    private static String twilioSignature(String url, Map<String, String> params) throws GeneralSecurityException {
        StringBuilder content = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> content.append(name).append(value));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(TWILIO_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static WebhookRequest twilioForm(String signature, String body) {
        return request(
                "/webhooks/twilio",
                Map.of(
                        "Content-Type", List.of("application/x-www-form-urlencoded; charset=UTF-8"),
                        "X-Twilio-Signature", List.of(signature)),
                body,
                "203.0.113.5");
    }

    private static final Map<String, String> TWILIO_PARAMS = Map.of(
            "MessageSid", "SM0123456789abcdef0123456789abcdef",
            "MessageStatus", "delivered",
            "To", "+15558675310",
            "AccountSid", "AC0123456789abcdef0123456789abcdef");
    private static final String TWILIO_BODY = "MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered"
            + "&To=%2B15558675310&AccountSid=AC0123456789abcdef0123456789abcdef";

    @Test
    void acceptsATwilioFormPostSignedOverThePublicUrlAndSortedParameters() throws GeneralSecurityException {
        settings.put("twilio.auth-tokens", TWILIO_TOKEN);
        ProviderAuthenticator authenticator = authenticator();
        String signature = twilioSignature(BASE_URL + "/webhooks/twilio", TWILIO_PARAMS);

        assertThat(authenticator.schemesOf("twilio")).singleElement().isInstanceOf(TwilioScheme.class);
        assertThatCode(() -> authenticator.authenticate("twilio", twilioForm(signature, TWILIO_BODY)))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsTheTwilioSignatureWhenThePublicBaseUrlEndsWithASlash() throws GeneralSecurityException {
        settings.put("twilio.auth-tokens", TWILIO_TOKEN);
        ProviderAuthenticator authenticator = authenticator(BASE_URL + "/");
        String signature = twilioSignature(BASE_URL + "/webhooks/twilio", TWILIO_PARAMS);

        assertThatCode(() -> authenticator.authenticate("twilio", twilioForm(signature, TWILIO_BODY)))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesATwilioSignatureOverATamperedBody() throws GeneralSecurityException {
        settings.put("twilio.auth-tokens", TWILIO_TOKEN);
        ProviderAuthenticator authenticator = authenticator();
        String signature = twilioSignature(BASE_URL + "/webhooks/twilio", TWILIO_PARAMS);

        assertThatThrownBy(() -> authenticator.authenticate(
                        "twilio", twilioForm(signature, TWILIO_BODY.replace("delivered", "undelivered"))))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatThrownBy(() ->
                        authenticator.authenticate("twilio", twilioForm(signature, TWILIO_BODY + "&ErrorCode=30003")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void refusesATwilioSignatureOverAnotherUrl() throws GeneralSecurityException {
        settings.put("twilio.auth-tokens", TWILIO_TOKEN);
        ProviderAuthenticator authenticator = authenticator();
        String signature = twilioSignature("https://elsewhere.example.org/webhooks/twilio", TWILIO_PARAMS);

        assertThatThrownBy(() -> authenticator.authenticate("twilio", twilioForm(signature, TWILIO_BODY)))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void refusesATwilioRequestWithoutSignature() {
        settings.put("twilio.auth-tokens", TWILIO_TOKEN);
        ProviderAuthenticator authenticator = authenticator();

        assertThatThrownBy(() -> authenticator.authenticate(
                        "twilio",
                        request(
                                "/webhooks/twilio",
                                Map.of("Content-Type", List.of("application/x-www-form-urlencoded")),
                                TWILIO_BODY,
                                "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    // ---- isolation between providers ---------------------------------------------------------

    @Test
    void settingsForOneProviderDoNotApplyToAnother() {
        settings.put("a.tokens", "token-of-a");
        settings.put("a.allowed-ips", "203.0.113.5");
        ProviderAuthenticator authenticator = authenticator();

        assertThatCode(() -> authenticator.authenticate("a", request("/webhooks/a?token=token-of-a", "203.0.113.5")))
                .doesNotThrowAnyException();
        assertThat(authenticator.schemesOf("b")).singleElement().isInstanceOf(TokenScheme.class);
        assertThatThrownBy(
                        () -> authenticator.authenticate("b", request("/webhooks/b?token=token-of-a", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
    }

    @Test
    void aTokenOfOneProviderIsRefusedByAnotherWithItsOwnTokens() {
        settings.put("a.tokens", "token-of-a");
        settings.put("b.tokens", "token-of-b");
        ProviderAuthenticator authenticator = authenticator();

        assertThatThrownBy(
                        () -> authenticator.authenticate("b", request("/webhooks/b?token=token-of-a", "203.0.113.5")))
                .isInstanceOf(UnauthenticatedException.class);
        assertThatCode(() -> authenticator.authenticate("b", request("/webhooks/b?token=token-of-b", "203.0.113.5")))
                .doesNotThrowAnyException();
    }
}
