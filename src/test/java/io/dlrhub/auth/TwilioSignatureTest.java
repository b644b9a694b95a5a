package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Driven by {@code src/test/resources/fixtures/twilio/vectors.json}, used verbatim.
 * <p>
 * What the vectors mean (each checked below by computing the HMAC): {@code signature} is over
 * {@code url} (no port) + the sorted params; each {@code port_variants} key names the URL Twilio
 * signed (the base URL with that scheme and port) and its value is the signature Twilio sent;
 * {@code json_body.signature} is over {@code url_with_hash} alone.
 */
class TwilioSignatureTest {

    private static final Path VECTORS = Path.of("src/test/resources/fixtures/twilio/vectors.json");
    private static final Pattern VARIANT_KEY = Pattern.compile("^(https?) with :(\\d+)\\b.*");

    private static JsonNode vectors;
    private static String token;
    private static String url;
    private static Map<String, List<String>> params;
    private static String signature;

    @BeforeAll
    static void readVectors() throws IOException {
        vectors = new ObjectMapper().readTree(VECTORS.toFile());
        token = vectors.get("auth_token").asText();
        url = vectors.get("url").asText();
        signature = vectors.get("signature").asText();
        // reversed, so that the sorting is the validator's doing and not the file's order
        List<String> names = new ArrayList<>();
        vectors.get("params").fieldNames().forEachRemaining(names::add);
        params = new LinkedHashMap<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            params.put(
                    names.get(i),
                    List.of(vectors.get("params").get(names.get(i)).asText()));
        }
        assertThat(URI.create(url).getPort()).isEqualTo(-1);
    }

    // ---- the base vector ----------------------------------------------------------------------

    @Test
    void theBaseVectorValidates() {
        assertThat(twilio(token).isValidForm(url, params, signature)).isTrue();
    }

    @Test
    void signReproducesTheBaseVector() {
        assertThat(twilio(token).sign(url, params)).isEqualTo(signature);
    }

    @Test
    void theSignedStringIsTheUrlFollowedByTheSortedParamsAndItsHmacIsTheSignature() throws Exception {
        String signedString = vectors.get("signed_string").asText();
        StringBuilder expected = new StringBuilder(url);
        params.keySet().stream()
                .sorted()
                .forEach(name -> expected.append(name).append(params.get(name).get(0)));
        assertThat(signedString).isEqualTo(expected.toString());
        assertThat(hmacSha1(token, signedString)).isEqualTo(signature);
    }

    // ---- port variants ------------------------------------------------------------------------

    @Test
    void eachPortVariantValidatesForTheUrlTwilioSigned() throws Exception {
        JsonNode variants = vectors.get("port_variants");
        assertThat(variants).hasSize(3);
        for (Map.Entry<String, JsonNode> variant : variants.properties()) {
            String signedUrl = variantUrl(variant.getKey());
            String variantSignature = variant.getValue().asText();
            // the key really does name the URL that was signed
            assertThat(hmacSha1(token, signedUrl + concatenated(params)))
                    .as(variant.getKey())
                    .isEqualTo(variantSignature);
            assertThat(twilio(token).isValidForm(signedUrl, params, variantSignature))
                    .as(variant.getKey())
                    .isTrue();
            assertThat(twilio(token).sign(signedUrl, params))
                    .as(variant.getKey())
                    .isEqualTo(variantSignature);
        }
    }

    @Test
    void aDefaultPortTwilioSignedIsAddedToAUrlThatHasNone() throws Exception {
        for (String key : List.of(variantKey("https", "443"), variantKey("http", "80"))) {
            String variantSignature = vectors.get("port_variants").get(key).asText();
            String signedUrl = variantUrl(key);
            String withoutPort = withoutPort(signedUrl);
            // the URL as given does not carry the signature: only adding the default port can match
            assertThat(twilio(token).sign(withoutPort, params)).as(key).isNotEqualTo(variantSignature);
            assertThat(twilio(token).isValidForm(withoutPort, params, variantSignature))
                    .as(key)
                    .isTrue();
        }
    }

    @Test
    void aPortIsRemovedFromAUrlThatHasOneWhenTwilioSignedTheUrlWithout() {
        // the base signature is over the https URL without a port
        String with443 = variantUrl(variantKey("https", "443"));
        assertThat(twilio(token).sign(with443, params)).isNotEqualTo(signature);
        assertThat(twilio(token).isValidForm(with443, params, signature)).isTrue();

        String withCustomPort = url.replace("://mycompany.com/", "://mycompany.com:1234/");
        assertThat(withCustomPort).isNotEqualTo(url);
        assertThat(twilio(token).isValidForm(withCustomPort, params, signature)).isTrue();
    }

    @Test
    void aNonDefaultPortIsNeverAddedAndPortsAreNotInterchangeable() {
        String custom = variantKey("http", "1234");
        String customSignature = vectors.get("port_variants").get(custom).asText();
        String signedUrl = variantUrl(custom);
        // Twilio signed http://...:1234/...: the URL without the port gets :80 added, never :1234
        assertThat(twilio(token).isValidForm(withoutPort(signedUrl), params, customSignature))
                .isFalse();
        assertThat(twilio(token).isValidForm(signedUrl.replace(":1234", ":8080"), params, customSignature))
                .isFalse();

        String https443 =
                vectors.get("port_variants").get(variantKey("https", "443")).asText();
        String http80 =
                vectors.get("port_variants").get(variantKey("http", "80")).asText();
        // the scheme is signed too
        assertThat(twilio(token).isValidForm(url.replace("https://", "http://"), params, signature))
                .isFalse();
        // :443 is not the default port of http, nor :80 of https
        assertThat(twilio(token).isValidForm(url.replace("https://", "http://"), params, https443))
                .isFalse();
        assertThat(twilio(token).isValidForm(url, params, http80)).isFalse();
    }

    // ---- JSON body ----------------------------------------------------------------------------

    @Test
    void theJsonBodyVectorValidates() throws Exception {
        JsonNode json = vectors.get("json_body");
        byte[] body = json.get("body").asText().getBytes(StandardCharsets.UTF_8);
        String urlWithHash = json.get("url_with_hash").asText();
        assertThat(sha256Hex(body)).isEqualTo(json.get("bodySHA256").asText());
        assertThat(urlWithHash)
                .isEqualTo(url + "&bodySHA256=" + json.get("bodySHA256").asText());
        assertThat(hmacSha1(token, urlWithHash)).isEqualTo(json.get("signature").asText());
        assertThat(twilio(token)
                        .isValidJson(urlWithHash, body, json.get("signature").asText()))
                .isTrue();
    }

    @Test
    void theJsonBodyVectorValidatesWithThePortVariants() {
        JsonNode json = vectors.get("json_body");
        byte[] body = json.get("body").asText().getBytes(StandardCharsets.UTF_8);
        String with443 = json.get("url_with_hash").asText().replace("://mycompany.com/", "://mycompany.com:443/");
        assertThat(twilio(token)
                        .isValidJson(with443, body, json.get("signature").asText()))
                .isTrue();
    }

    @Test
    void aChangedJsonBodyFails() {
        JsonNode json = vectors.get("json_body");
        String urlWithHash = json.get("url_with_hash").asText();
        String jsonSignature = json.get("signature").asText();
        byte[] changed = json.get("body").asText().replace("true", "false").getBytes(StandardCharsets.UTF_8);
        assertThat(twilio(token).isValidJson(urlWithHash, changed, jsonSignature))
                .isFalse();
        assertThat(twilio(token).isValidJson(urlWithHash, new byte[0], jsonSignature))
                .isFalse();
    }

    @Test
    void aChangedBodySha256Fails() throws Exception {
        JsonNode json = vectors.get("json_body");
        String hash = json.get("bodySHA256").asText();
        String urlWithHash = json.get("url_with_hash").asText();
        String jsonSignature = json.get("signature").asText();
        byte[] body = json.get("body").asText().getBytes(StandardCharsets.UTF_8);

        String otherHash = (hash.charAt(0) == '0' ? "1" : "0") + hash.substring(1);
        assertThat(twilio(token).isValidJson(urlWithHash.replace(hash, otherHash), body, jsonSignature))
                .isFalse();

        // a swapped body with its own, correct hash: the hash matches but the signature does not cover it
        byte[] swapped = "{\"property\": \"evil\", \"boolean\": true}".getBytes(StandardCharsets.UTF_8);
        String swappedUrl = urlWithHash.replace(hash, sha256Hex(swapped));
        assertThat(twilio(token).isValidJson(swappedUrl, swapped, jsonSignature))
                .isFalse();

        // without the parameter there is nothing binding the body
        assertThat(twilio(token).isValidJson(url, body, hmacSha1(token, url))).isFalse();
    }

    @Test
    void aRepeatedBodySha256Fails() throws Exception {
        JsonNode json = vectors.get("json_body");
        byte[] body = json.get("body").asText().getBytes(StandardCharsets.UTF_8);
        String doubled = json.get("url_with_hash").asText() + "&bodySHA256=" + sha256Hex(new byte[0]);
        assertThat(twilio(token).isValidJson(doubled, body, hmacSha1(token, doubled)))
                .isFalse();
    }

    @Test
    void theJsonSignatureDoesNotValidateAForm() {
        JsonNode json = vectors.get("json_body");
        assertThat(twilio(token)
                        .isValidForm(
                                json.get("url_with_hash").asText(),
                                params,
                                json.get("signature").asText()))
                .isFalse();
    }

    // ---- failures -----------------------------------------------------------------------------

    @Test
    void aWrongTokenFails() {
        assertThat(twilio(token + "6").isValidForm(url, params, signature)).isFalse();
        JsonNode json = vectors.get("json_body");
        assertThat(twilio("54321")
                        .isValidJson(
                                json.get("url_with_hash").asText(),
                                json.get("body").asText().getBytes(StandardCharsets.UTF_8),
                                json.get("signature").asText()))
                .isFalse();
    }

    @Test
    void everyTokenIsTried() {
        assertThat(twilio("54321", token).isValidForm(url, params, signature)).isTrue();
        assertThat(twilio("54321", token).sign(url, params)).isNotEqualTo(signature);
        assertThat(twilio(token, "54321").sign(url, params)).isEqualTo(signature);
    }

    @Test
    void aChangedParamFails() {
        Map<String, List<String>> changed = new LinkedHashMap<>(params);
        changed.put("Digits", List.of("1235"));
        assertThat(twilio(token).isValidForm(url, changed, signature)).isFalse();
    }

    @Test
    void aMissingParamFails() {
        for (String name : params.keySet()) {
            Map<String, List<String>> missing = new LinkedHashMap<>(params);
            missing.remove(name);
            assertThat(twilio(token).isValidForm(url, missing, signature))
                    .as(name)
                    .isFalse();
        }
        assertThat(twilio(token).isValidForm(url, Map.of(), signature)).isFalse();
    }

    @Test
    void anAddedParamFails() {
        Map<String, List<String>> added = new LinkedHashMap<>(params);
        added.put("Extra", List.of("1"));
        assertThat(twilio(token).isValidForm(url, added, signature)).isFalse();
    }

    @Test
    void aChangedUrlFails() {
        assertThat(twilio(token).isValidForm(url.replace("foo=1", "foo=2"), params, signature))
                .isFalse();
        assertThat(twilio(token).isValidForm(url.replace("mycompany.com", "mycompany.co"), params, signature))
                .isFalse();
    }

    @Test
    void aMissingOrMalformedSignatureFails() {
        assertThat(twilio(token).isValidForm(url, params, null)).isFalse();
        assertThat(twilio(token).isValidForm(url, params, "")).isFalse();
        assertThat(twilio(token).isValidForm(url, params, "not a signature")).isFalse();
        assertThat(twilio(token).isValidForm(url, params, signature.substring(1)))
                .isFalse();
    }

    @Test
    void severalValuesOfAParamAreAppendedInTheirOrderAfterSortingByName() throws Exception {
        Map<String, List<String>> multi = new LinkedHashMap<>();
        multi.put("b", List.of("2", "1"));
        multi.put("a", List.of("x"));
        String expected = hmacSha1(token, url + "ax" + "b2" + "b1");
        assertThat(twilio(token).sign(url, multi)).isEqualTo(expected);
        assertThat(twilio(token).isValidForm(url, multi, expected)).isTrue();
        assertThat(twilio(token).isValidForm(url, Map.of("a", List.of("x"), "b", List.of("1", "2")), expected))
                .isFalse();
    }

    @Test
    void noTokenIsRejected() {
        assertThatThrownBy(() -> new TwilioSignature(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> twilio(token, "")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static TwilioSignature twilio(String... tokens) {
        return new TwilioSignature(List.of(tokens));
    }

    /** The port_variants key for a scheme and port, found in the file (so a renamed key fails the test). */
    private static String variantKey(String scheme, String port) {
        List<String> keys = new ArrayList<>();
        vectors.get("port_variants").fieldNames().forEachRemaining(key -> {
            Matcher m = VARIANT_KEY.matcher(key);
            if (m.matches() && m.group(1).equals(scheme) && m.group(2).equals(port)) {
                keys.add(key);
            }
        });
        assertThat(keys).as(scheme + " :" + port).hasSize(1);
        return keys.get(0);
    }

    /** The URL a port_variants key names: the base URL with the key's scheme and port. */
    private static String variantUrl(String key) {
        Matcher m = VARIANT_KEY.matcher(key);
        assertThat(m.matches()).as(key).isTrue();
        URI base = URI.create(url);
        return m.group(1) + "://" + base.getHost() + ":" + m.group(2) + base.getRawPath() + "?" + base.getRawQuery();
    }

    private static String withoutPort(String urlWithPort) {
        URI uri = URI.create(urlWithPort);
        assertThat(uri.getPort()).isNotEqualTo(-1);
        return uri.getScheme() + "://" + uri.getHost() + uri.getRawPath() + "?" + uri.getRawQuery();
    }

    private static String concatenated(Map<String, List<String>> form) {
        StringBuilder s = new StringBuilder();
        form.keySet().stream()
                .sorted()
                .forEach(name -> form.get(name).forEach(v -> s.append(name).append(v)));
        return s.toString();
    }

    private static String hmacSha1(String key, String content) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256Hex(byte[] body) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    }
}
