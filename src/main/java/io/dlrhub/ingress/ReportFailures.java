package io.dlrhub.ingress;

import io.dlrhub.event.InvalidEventException;
import org.apache.camel.Exchange;
import org.apache.camel.processor.aggregate.UseOriginalAggregationStrategy;

/**
 * Which report's failure answers a request that carried several reports (an Infobip "results"
 * list split into one event each): a failure that is not the report's fault (a step that failed:
 * 500, which the provider retries) wins over one that is (a malformed report: 400, which it does
 * not retry), and among failures of one kind the last one is kept, as Camel's default would.
 * Whatever a report's failure, the events of the request's valid reports are still committed
 * (webhook-ingress commits them after the adapter route, together); if that commit fails, the
 * answer is 503 whatever the reports' failures were. The provider's resend finds the stored
 * ones as duplicates.
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
