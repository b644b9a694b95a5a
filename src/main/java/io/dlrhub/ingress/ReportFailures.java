package io.dlrhub.ingress;

import io.dlrhub.event.InvalidEventException;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.UseOriginalAggregationStrategy;

/**
 * Which failure answers a request that carried several reports (an Infobip "results" list split
 * into one event each). Camel's default keeps the last failure, so a valid report that was not
 * stored (database down: 503, retry) could be answered with a malformed report's 400, and a
 * provider that does not retry a 4xx would drop the valid report. Here a failure that is not the
 * report's fault (503, 500) wins over one that is (400, 415...): the request gets 503 whenever a
 * valid report was not stored, and 400 only when every report not stored is malformed. Among
 * failures of the same kind the last one is kept, as before. The reports that were stored stay
 * stored; the provider's resend finds them as duplicates.
 * <p>
 * Used by a split in a route file: {@code aggregationStrategy: "#reportFailures"}.
 */
public class ReportFailures extends UseOriginalAggregationStrategy {

    public static final String BEAN = "reportFailures";

    public ReportFailures() {
        this(null);
    }

    private ReportFailures(Exchange original) {
        super(original, true);
    }

    @Override
    public UseOriginalAggregationStrategy newInstance(Exchange original) {
        return new ReportFailures(original);
    }

    @Override
    protected Exception checkException(Exchange kept, Exchange arrived) {
        return decisive(kept == null ? null : kept.getException(), arrived == null ? null : arrived.getException());
    }

    /** The failure the request is answered with, of one kept so far and one that just arrived. */
    static Exception decisive(Exception kept, Exception arrived) {
        if (arrived == null) {
            return kept;
        }
        if (kept == null) {
            return arrived;
        }
        return isTheReportsFault(arrived) && !isTheReportsFault(kept) ? kept : arrived;
    }

    /** A malformed report: resending it cannot help. Anything else (database down, a bug) may pass on retry. */
    static boolean isTheReportsFault(Exception failure) {
        return failure instanceof InvalidEventException
                || failure instanceof WebhookRejection rejection && rejection.status() < 500;
    }
}
