package io.dlrhub.ingress;

import static io.dlrhub.ingress.InfobipWebhookTest.DELIVERED_TO_HANDSET;
import static io.dlrhub.ingress.InfobipWebhookTest.NO_ERROR;
import static io.dlrhub.ingress.InfobipWebhookTest.report;
import static io.dlrhub.ingress.InfobipWebhookTest.results;
import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.support.RunningHub;
import io.dlrhub.support.RunningHub.Reply;
import io.dlrhub.support.Sql;
import io.dlrhub.support.TcpProxy;
import io.dlrhub.support.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One Infobip request, two reports: a valid one and a malformed one, while PostgreSQL is cut off.
 * The answer must make Infobip resend (503), not drop the request (400): a provider does not
 * retry a 4xx, and the valid report was not stored. Once the database is back, the resend stores
 * the valid report and the malformed one alone is answered 400.
 */
class InfobipOutageTest {

    static final String TOKEN = "infobip-outage-token";
    static final String DONE_AT = "2019-11-09T16:00:00.000+0000";

    @Test
    void aValidReportNotStoredMakesTheRequest503EvenNextToAMalformedOne() throws Exception {
        TestDatabase real = TestDatabase.postgres();
        String valid = report("outage-valid-" + System.nanoTime(), DELIVERED_TO_HANDSET, NO_ERROR, DONE_AT);
        String validId = valid.replaceAll(".*\"messageId\":\"([^\"]+)\".*", "$1");
        String malformed = report("outage-bad", DELIVERED_TO_HANDSET, NO_ERROR, DONE_AT)
                .replace("\"messageId\":\"outage-bad\",", "");
        // the malformed report last: Camel's default answer was the last failure, its 400
        String request = results(valid, malformed);
        try (TcpProxy proxy = real.proxy()) {
            TestDatabase database = real.through(proxy);
            try (RunningHub hub = RunningHub.start(
                    database, Map.of("infobip.tokens", TOKEN, "db.connect-timeout-ms", "1000", "db.pool-size", "2"))) {
                proxy.cut();
                Reply during = hub.post("/webhooks/infobip?token=" + TOKEN, "application/json", request);
                assertThat(during.status()).as(during.toString()).isEqualTo(503);
                assertThat(during.field("error")).isEqualTo("unavailable");
                assertThat(during.raw().headers().firstValue("Retry-After")).isPresent();

                proxy.start();
                // Infobip's resend: the valid report is stored now, only the malformed one is refused,
                // and a 400 is right for it (resending it cannot help)
                Reply resend = hub.post("/webhooks/infobip?token=" + TOKEN, "application/json", request);
                assertThat(resend.status()).as(resend.toString()).isEqualTo(400);
                assertThat(resend.field("error")).isEqualTo("missing_field");
                assertThat(resend.field("message")).contains("messageId");
            }
            assertThat(Sql.count(
                            real,
                            "SELECT COUNT(*) FROM delivery_event WHERE provider = 'infobip' AND message_id = ?",
                            validId))
                    .isEqualTo(1);
        }
    }
}
