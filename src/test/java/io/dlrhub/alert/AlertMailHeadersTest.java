package io.dlrhub.alert;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** Which message headers the SMTP endpoint of the alert route may turn into mail headers. */
class AlertMailHeadersTest {

    private final HeaderFilterStrategy filter = AlertConfiguration.onlySubject();
    private final DefaultExchange exchange = new DefaultExchange(new DefaultCamelContext());

    private boolean reachesTheMail(String header) {
        return !filter.applyFilterToCamelHeaders(header, "value", exchange);
    }

    @Test
    void subjectReachesTheMail() {
        assertThat(reachesTheMail("Subject")).isTrue();
    }

    @Test
    void internalAndUnknownHeadersDoNotReachTheMail() {
        assertThat(reachesTheMail("DlrDigestCount")).isFalse();
        assertThat(reachesTheMail("DlrSink")).isFalse();
        assertThat(reachesTheMail("CamelHttpUri")).isFalse();
        assertThat(reachesTheMail("camelMailAlternativeBody")).isFalse();
        assertThat(reachesTheMail("Bcc")).isFalse();
        assertThat(reachesTheMail("X-Anything")).isFalse();
    }
}
