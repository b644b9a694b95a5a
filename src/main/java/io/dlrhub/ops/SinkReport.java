package io.dlrhub.ops;

import io.dlrhub.Settings;
import io.dlrhub.event.CanonicalStatus;
import io.dlrhub.outbox.SinkSettings;
import io.dlrhub.outbox.SinkStatistics;
import io.dlrhub.outbox.Sinks;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.camel.CamelContext;

/**
 * Each sink as {@code GET /api/sinks} shows it: whether it is on, which statuses it takes, its
 * backlog, the settings that shape its deliveries, and its failed attempts of the last day. No
 * secret is shown: the CRM's URL is shown as its scheme, host and port (user info, path and query
 * may hold a credential), and its token and signing secret are only said to be set or not.
 */
final class SinkReport {

    static final java.time.Duration FAILURE_WINDOW = java.time.Duration.ofHours(24);
    static final int FAILURES_SHOWN = 20;

    private final Settings settings;
    private final Sinks sinks;
    private final SinkStatistics statistics;

    SinkReport(CamelContext context, Sinks sinks, SinkStatistics statistics) {
        this.settings = new Settings(context);
        this.sinks = sinks;
        this.statistics = statistics;
    }

    List<Map<String, Object>> all(Instant now) {
        Map<String, SinkStatistics.Backlog> backlog = statistics.backlog();
        TreeSet<String> names = new TreeSet<>(sinks.names());
        names.addAll(backlog.keySet());
        List<Map<String, Object>> all = new ArrayList<>();
        for (String name : names) {
            SinkStatistics.Backlog waiting = backlog.getOrDefault(name, new SinkStatistics.Backlog(0, null, 0));
            boolean routed = sinks.names().contains(name);
            SinkSettings sink = sinks.settings(name);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", name);
            // a sink whose route file was removed still has its rows: it is off
            row.put("enabled", routed && sink.enabled());
            row.put(
                    "statuses",
                    sink.statuses().isEmpty()
                            ? List.of("ALL")
                            : sink.statuses().stream()
                                    .map(CanonicalStatus::name)
                                    .sorted()
                                    .toList());
            row.put("pending", waiting.pending());
            row.put("dead", waiting.dead());
            row.put("oldest_pending_age_seconds", OverviewApiRoutes.ageSeconds(waiting.oldestPending(), now));
            row.put("settings", settings(sink));
            List<Map<String, Object>> failures = new ArrayList<>();
            for (SinkStatistics.Failure failure :
                    statistics.recentFailures(name, now.minus(FAILURE_WINDOW), FAILURES_SHOWN)) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("outbox_id", failure.outboxId());
                item.put("event_id", failure.eventId());
                item.put("at", failure.at());
                item.put("outcome", failure.outcome());
                item.put("http_status", failure.httpStatus());
                item.put("detail", failure.detail());
                failures.add(item);
            }
            row.put("recent_failures", failures);
            all.add(row);
        }
        return all;
    }

    private Map<String, Object> settings(SinkSettings sink) {
        Map<String, Object> shown = new LinkedHashMap<>();
        if ("crm".equals(sink.name())) {
            shown.put("url", withoutCredentials(settings.get("crm.url", null)));
            shown.put("bearer_token", settings.get("crm.token", null) == null ? "not set" : "set");
            shown.put(
                    "signature",
                    settings.get("crm.signing-secret", null) == null ? "none" : "Standard Webhooks (secret set)");
        } else if ("alert".equals(sink.name())) {
            shown.put("email_to", settings.get("alert.email-to", "(none: digests are only logged)"));
            shown.put("smtp_server", settings.get("smtp.host", "localhost") + ":" + settings.get("smtp.port", "25"));
        }
        shown.put("max_attempts", sink.maxAttempts() == 0 ? "unlimited" : sink.maxAttempts());
        shown.put("retry_initial_ms", sink.retry().initial().toMillis());
        shown.put("retry_max_ms", sink.retry().max().toMillis());
        shown.put("timeout_ms", sink.timeout().toMillis());
        shown.put("concurrency", sink.concurrency());
        shown.put("digest_seconds", sink.digest().toSeconds());
        return shown;
    }

    /**
     * scheme://host:port of a URL: user info and query string may carry a credential, and so may a
     * path (webhook URLs often end in a token), so the path is only hinted at.
     */
    static String withoutCredentials(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "(not shown: not an absolute URL)";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null || uri.getRawPath().isEmpty() || "/".equals(uri.getRawPath())
                            ? ""
                            : "/…");
        } catch (Exception e) {
            return "(not shown: not a valid URL)";
        }
    }
}
