package io.dlrhub.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.dlrhub.event.InvalidEventException;
import io.dlrhub.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

/** The rule for a request with several reports: retry when a valid report was not stored. */
class ReportFailuresTest {

    final Exception malformed = new InvalidEventException("missing_field", "messageId is missing");
    final Exception otherMalformed = new InvalidEventException("invalid_field", "doneAt is not a time");
    final Exception databaseDown = new StoreUnavailableException("down", null);
    final Exception bug = new IllegalStateException("bug");

    @Test
    void aFailureThatIsNotTheReportsFaultWinsWhateverTheOrder() {
        assertThat(ReportFailures.decisive(databaseDown, malformed)).isSameAs(databaseDown);
        assertThat(ReportFailures.decisive(malformed, databaseDown)).isSameAs(databaseDown);
        assertThat(ReportFailures.decisive(malformed, bug)).isSameAs(bug);
        assertThat(ReportFailures.decisive(new WebhookRejection(415, "unsupported_media_type", "x"), databaseDown))
                .isSameAs(databaseDown);
    }

    @Test
    void amongFailuresOfOneKindTheLastIsKept() {
        assertThat(ReportFailures.decisive(malformed, otherMalformed)).isSameAs(otherMalformed);
        assertThat(ReportFailures.decisive(databaseDown, bug)).isSameAs(bug);
    }

    @Test
    void noFailureKeepsWhatThereIs() {
        assertThat(ReportFailures.decisive(null, null)).isNull();
        assertThat(ReportFailures.decisive(null, malformed)).isSameAs(malformed);
        assertThat(ReportFailures.decisive(malformed, null)).isSameAs(malformed);
    }
}
