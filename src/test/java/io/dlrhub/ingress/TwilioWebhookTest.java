package io.dlrhub.ingress;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dlrhub.support.HubExtension;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TestDatabase;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Twilio message status callbacks end to end: form POSTs signed the way Twilio signs them
 * (computed here with the JDK alone, independently of dlr-hub's own TwilioSignature), checked in
 * the database the service committed to.
 */
class TwilioWebhookTest {

    static final String AUTH_TOKEN = "0123456789abcdef0123456789abcdef";
    static final String NEXT_AUTH_TOKEN = "fedcba9876543210fedcba9876543210";
    static final String PUBLIC_BASE_URL = "https://dlr.example.org";
    static final String PATH = "/webhooks/twilio";
    static final String ACCOUNT_SID = "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    static final Path VECTORS = Path.of("src/test/resources/fixtures/twilio/vectors.json");

    @RegisterExtension
    static final HubExtension shared = HubExtension.on(TestDatabase::h2InMemory)
            .with(Map.of(
                    "twilio.auth-tokens", AUTH_TOKEN + ", " + NEXT_AUTH_TOKEN, "public-base-url", PUBLIC_BASE_URL));

    final TestDatabase database = shared.database();
    final RunningHub hub = shared.hub();

    // --- what Twilio sends ----------------------------------------------------------------------

    /** A status callback as Twilio documents it for an SMS (same fields, same order). */
    static Map<String, String> smsCallback(String messageSid, String status) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("AccountSid", ACCOUNT_SID);
        params.put("ApiVersion", "2010-04-01");
        params.put("From", "+15017122661");
        params.put("MessageSid", messageSid);
        params.put("MessageStatus", status);
        params.put("SmsSid", messageSid);
        params.put("SmsStatus", status);
        params.put("To", "+15558675310");
        return params;
    }

    static Map<String, String> whatsAppCallback(String messageSid, String status) {
        Map<String, String> params = smsCallback(messageSid, status);
        params.put("From", "whatsapp:+14155238886");
        params.put("To", "whatsapp:+15558675310");
        params.put("ChannelPrefix", "whatsapp");
        return params;
    }

    static String form(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** Twilio's X-Twilio-Signature: base64(HMAC-SHA1(auth token, URL + each param name+value sorted by name)). */
    static String twilioSignature(String authToken, String url, Map<String, String> params) throws Exception {
        StringBuilder signed = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> signed.append(name).append(value));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(signed.toString().getBytes(StandardCharsets.UTF_8)));
    }

    Reply twilio(Map<String, String> params) throws Exception {
        return hub.post(
                PATH,
                FORM,
                form(params),
                "X-Twilio-Signature",
                twilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params));
    }

    long eventsFor(String messageSid) {
        return Sql.count(
                database,
                "SELECT COUNT(*) FROM delivery_event WHERE provider = 'twilio' AND message_id = ?",
                messageSid);
    }

    Map<String, Object> onlyEvent(String messageSid) {
        List<Map<String, Object>> rows = Sql.rows(
                database, "SELECT * FROM delivery_event WHERE provider = 'twilio' AND message_id = ?", messageSid);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    static JsonNode payload(Map<String, Object> row) throws Exception {
        return new ObjectMapper().readTree(row.get("payload").toString());
    }

    // --- tests ----------------------------------------------------------------------------------

    @Test
    void aDeliveredSmsCallbackIsStoredAsACanonicalEvent() throws Exception {
        String sid = "SM1f0e8ae6ade43cb3c0ce4525424e404f";
        Reply reply = twilio(smsCallback(sid, "delivered"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.field("status")).isEqualTo("accepted");
        Map<String, Object> row = onlyEvent(sid);
        assertThat(row.get("event_id").toString()).isEqualTo(reply.field("event_id"));
        assertThat(row)
                .containsEntry("channel", "SMS")
                .containsEntry("message_id", sid)
                .containsEntry("status", "DELIVERED")
                .containsEntry("provider_status", "delivered");
        assertThat(row.get("error_code")).isNull();

        JsonNode attributes = payload(row).get("attributes");
        assertThat(attributes.get("AccountSid").asText()).isEqualTo(ACCOUNT_SID);
        assertThat(attributes.get("ApiVersion").asText()).isEqualTo("2010-04-01");
        assertThat(attributes.get("From").asText()).isEqualTo("+15017122661");
        assertThat(attributes.get("To").asText()).isEqualTo("+15558675310");
        assertThat(attributes.get("SmsSid").asText()).isEqualTo(sid);
        assertThat(attributes.get("SmsStatus").asText()).isEqualTo("delivered");
        assertThat(attributes.has("MessageSid")).isFalse();
        assertThat(attributes.has("MessageStatus")).isFalse();
        assertThat(attributes.size()).isEqualTo(6);

        assertThat(Sql.rows(
                        database,
                        "SELECT status FROM message_status WHERE provider = 'twilio' AND message_id = ?",
                        sid))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");
    }

    @Test
    void aCallbackWithACharsetInItsContentTypeIsAccepted() throws Exception {
        String sid = "SMcharset00000000000000000000000001";
        Map<String, String> params = smsCallback(sid, "sent");

        Reply reply = hub.post(
                PATH,
                FORM + "; charset=utf-8",
                form(params),
                "X-Twilio-Signature",
                twilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(onlyEvent(sid)).containsEntry("status", "SENT").containsEntry("channel", "SMS");
    }

    @Test
    void aWhatsAppCallbackIsStoredOnTheWhatsAppChannel() throws Exception {
        String sid = "SMwhatsapp00000000000000000000001";
        Reply reply = twilio(whatsAppCallback(sid, "read"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        Map<String, Object> row = onlyEvent(sid);
        assertThat(row)
                .containsEntry("channel", "WHATSAPP")
                .containsEntry("status", "READ")
                .containsEntry("provider_status", "read");
        assertThat(payload(row).get("attributes").get("From").asText()).isEqualTo("whatsapp:+14155238886");
    }

    @Test
    void rcsAndMessengerAddressesGiveTheirOwnChannels() {
        Map<String, String> rcs = smsCallback("SMrcs0000000000000000000000000001", "delivered");
        rcs.put("From", "rcs:brand_agent");
        rcs.put("To", "+15558675310");
        Map<String, String> messenger = smsCallback("SMmsgr000000000000000000000000001", "delivered");
        messenger.put("From", "messenger:101010101010");
        messenger.put("To", "messenger:202020202020");

        for (Map<String, String> params : List.of(rcs, messenger)) {
            try {
                assertThat(twilio(params).status()).isEqualTo(200);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        assertThat(onlyEvent("SMrcs0000000000000000000000000001")).containsEntry("channel", "RCS");
        assertThat(onlyEvent("SMmsgr000000000000000000000000001")).containsEntry("channel", "MESSENGER");
    }

    @Test
    void anUndeliveredCallbackIsFailedWithItsErrorCode() throws Exception {
        String sid = "SMundelivered000000000000000000001";
        Map<String, String> params = smsCallback(sid, "undelivered");
        params.put("ErrorCode", "30003");

        Reply reply = twilio(params);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        Map<String, Object> row = onlyEvent(sid);
        assertThat(row)
                .containsEntry("status", "FAILED")
                .containsEntry("provider_status", "undelivered")
                .containsEntry("error_code", "30003");
        JsonNode payload = payload(row);
        assertThat(payload.get("error_code").asText()).isEqualTo("30003");
        assertThat(payload.get("attributes").has("ErrorCode")).isFalse();
    }

    @Test
    void everyTwilioStatusMapsToItsCanonicalStatus() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("queued", "QUEUED");
        expected.put("accepted", "QUEUED");
        expected.put("scheduled", "QUEUED");
        expected.put("sending", "QUEUED");
        expected.put("sent", "SENT");
        expected.put("partially_delivered", "SENT");
        expected.put("delivered", "DELIVERED");
        expected.put("read", "READ");
        expected.put("undelivered", "FAILED");
        expected.put("failed", "FAILED");
        expected.put("canceled", "FAILED");
        expected.put("receiving", "UNKNOWN");
        expected.put("received", "UNKNOWN");
        for (String status : expected.keySet()) {
            assertThat(twilio(smsCallback("SMmap-" + status, status)).status())
                    .as(status)
                    .isEqualTo(200);
        }
        for (Map.Entry<String, String> entry : expected.entrySet()) {
            assertThat(onlyEvent("SMmap-" + entry.getKey()))
                    .as(entry.getKey())
                    .containsEntry("status", entry.getValue())
                    .containsEntry("provider_status", entry.getKey());
        }
    }

    @Test
    void aCallbackSignedWithTheSecondAuthTokenIsAccepted() throws Exception {
        String sid = "SMrotation000000000000000000000001";
        Map<String, String> params = smsCallback(sid, "sent");

        Reply reply = hub.post(
                PATH,
                FORM,
                form(params),
                "X-Twilio-Signature",
                twilioSignature(NEXT_AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(eventsFor(sid)).isEqualTo(1);
    }

    /**
     * Issue 17: the signature covers names and values run together in name order, so a field moved
     * into the value before it (MessageStatus=delivered + SmsSid=SM... becomes
     * MessageStatus=deliveredSmsSidSM...) keeps it valid; it was stored as a new UNKNOWN event.
     */
    @Test
    void aFieldMovedIntoTheValueBeforeItIsRefusedWith400NamingTheField() throws Exception {
        String sid = "SMshifted00000000000000000000001";
        Map<String, String> original = smsCallback(sid, "delivered");
        assertThat(twilio(original).field("status")).isEqualTo("accepted");

        Map<String, String> statusShift = new LinkedHashMap<>(original);
        statusShift.put("MessageStatus", "delivered" + "SmsSid" + statusShift.remove("SmsSid"));
        Map<String, String> smsStatusShift = whatsAppCallback("SMshifted00000000000000000000002", "delivered");
        smsStatusShift.remove("ChannelPrefix");
        smsStatusShift.put("SmsStatus", "delivered" + "To" + smsStatusShift.remove("To"));
        smsStatusShift.put("From", "+14155238886");
        Map<String, String> errorShift = smsCallback("SMshifted00000000000000000000003", "failed");
        errorShift.put("ErrorCode", "30003" + "From" + errorShift.remove("From"));
        Reply status = twilio(statusShift);
        Reply smsStatus = twilio(smsStatusShift);
        Reply error = twilio(errorShift);

        assertThat(status.status()).as(status.toString()).isEqualTo(400);
        assertThat(status.field("message")).contains("MessageStatus");
        assertThat(smsStatus.status()).as(smsStatus.toString()).isEqualTo(400);
        assertThat(smsStatus.field("message")).contains("SmsStatus");
        assertThat(error.status()).as(error.toString()).isEqualTo(400);
        assertThat(error.field("message")).contains("ErrorCode");
        assertThat(eventsFor(sid)).isEqualTo(1);
        assertThat(eventsFor("SMshifted00000000000000000000002") + eventsFor("SMshifted00000000000000000000003"))
                .isZero();
    }

    @Test
    void aCallbackWhoseSignatureDoesNotHoldIsRefusedWith401AndNothingIsStored() throws Exception {
        String sid = "SMforged0000000000000000000000001";
        Map<String, String> params = smsCallback(sid, "delivered");
        String goodSignature = twilioSignature(AUTH_TOKEN, PUBLIC_BASE_URL + PATH, params);

        Map<String, String> tampered = new LinkedHashMap<>(params);
        tampered.put("MessageStatus", "failed");
        Reply tamperedParam = hub.post(PATH, FORM, form(tampered), "X-Twilio-Signature", goodSignature);
        Reply missing = hub.post(PATH, FORM, form(params));
        Reply wrongToken = hub.post(
                PATH,
                FORM,
                form(params),
                "X-Twilio-Signature",
                twilioSignature("not-the-auth-token", PUBLIC_BASE_URL + PATH, params));
        Reply otherUrl = hub.post(
                PATH,
                FORM,
                form(params),
                "X-Twilio-Signature",
                twilioSignature(AUTH_TOKEN, "http://dlr.example.org" + PATH, params));

        for (Reply reply : List.of(tamperedParam, missing, wrongToken, otherUrl)) {
            assertThat(reply.status()).as(reply.toString()).isEqualTo(401);
            assertThat(reply.field("error")).isEqualTo("unauthorized");
            assertThat(reply.body()).doesNotContain(AUTH_TOKEN).doesNotContain(goodSignature);
        }
        assertThat(eventsFor(sid)).isZero();
    }

    @Test
    void theSameCallbackTwiceIsADuplicateOfTheFirst() throws Exception {
        String sid = "SMduplicate00000000000000000000001";
        Reply first = twilio(smsCallback(sid, "delivered"));
        Reply again = twilio(smsCallback(sid, "delivered"));

        assertThat(first.field("status")).isEqualTo("accepted");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.field("status")).isEqualTo("duplicate");
        assertThat(again.field("event_id")).isEqualTo(first.field("event_id"));
        assertThat(eventsFor(sid)).isEqualTo(1);
    }

    @Test
    void aLateSentAfterDeliveredDoesNotRegressTheMessage() throws Exception {
        String sid = "SMordering0000000000000000000000001";
        assertThat(twilio(smsCallback(sid, "sent")).field("status")).isEqualTo("accepted");
        assertThat(twilio(smsCallback(sid, "delivered")).field("status")).isEqualTo("accepted");
        // Twilio does not promise order: the "sent" callback may arrive again, or late
        assertThat(twilio(smsCallback(sid, "sent")).field("status")).isEqualTo("duplicate");

        assertThat(eventsFor(sid)).isEqualTo(2);
        assertThat(Sql.rows(
                        database,
                        "SELECT status FROM message_status WHERE provider = 'twilio' AND message_id = ?",
                        sid))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");
    }

    @Test
    void aSentArrivingAfterDeliveredIsKeptInTheTimelineButDoesNotRegressTheMessage() throws Exception {
        String sid = "SMoutoforder000000000000000000001";
        assertThat(twilio(smsCallback(sid, "delivered")).field("status")).isEqualTo("accepted");
        assertThat(twilio(smsCallback(sid, "sent")).field("status")).isEqualTo("accepted");

        assertThat(eventsFor(sid)).isEqualTo(2);
        assertThat(Sql.rows(
                        database,
                        "SELECT status FROM message_status WHERE provider = 'twilio' AND message_id = ?",
                        sid))
                .extracting(r -> r.get("status"))
                .containsExactly("DELIVERED");
    }

    @Test
    void aCallbackWithoutMessageSidIsRefusedWith400NamingIt() throws Exception {
        Map<String, String> params = smsCallback("SMnosid", "delivered");
        params.remove("MessageSid");

        Reply reply = twilio(params);

        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.field("error")).isEqualTo("missing_field");
        assertThat(reply.field("message")).contains("MessageSid");
        assertThat(eventsFor("SMnosid")).isZero();
    }

    /**
     * The published vector (Twilio's Java SDK test) is checked with the same JDK signing used by
     * every test here, so the test's signer is Twilio's algorithm. The vector itself cannot be sent
     * to dlr-hub: it signs https://mycompany.com/myapp.php?foo=1&bar=2, and dlr-hub only listens on
     * /webhooks/{provider}, so no public-base-url makes the URL match.
     */
    @Test
    void theSignerOfTheseTestsReproducesTwiliosPublishedVector() throws Exception {
        JsonNode vector = new ObjectMapper().readTree(Files.readString(VECTORS));
        Map<String, String> params = new LinkedHashMap<>();
        vector.get("params")
                .fields()
                .forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));

        assertThat(twilioSignature(
                        vector.get("auth_token").asText(), vector.get("url").asText(), params))
                .isEqualTo(vector.get("signature").asText());
    }
}
