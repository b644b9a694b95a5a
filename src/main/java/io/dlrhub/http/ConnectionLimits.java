package io.dlrhub.http;

import io.dlrhub.SettingValues;
import io.dlrhub.Settings;

/**
 * What one client may hold on a listener, so that one address cannot take the service from the
 * others (issue 17): how long a request may take to arrive, how long a kept-alive connection may
 * sit idle, and how many connections and requests in progress one address may have. Both
 * listeners use the same limits. 0 turns a limit off (not recommended).
 *
 * @param readTimeoutMs        request line and headers, and then the body, must each arrive within this
 * @param idleTimeoutMs        a kept-alive connection with no request in progress is closed after this
 * @param connectionsPerAddress open connections per TCP peer address (trusted proxies exempt)
 * @param requestsPerAddress   requests in progress per client address (behind a trusted proxy: per forwarded client)
 */
record ConnectionLimits(long readTimeoutMs, long idleTimeoutMs, int connectionsPerAddress, int requestsPerAddress) {

    /**
     * The defaults: a provider sends a complete webhook in milliseconds, so 10 s to send headers or a
     * body of at most MAX_BODY_BYTES leaves room for a slow network while a stalled request gives
     * its slot back after a third of REQUEST_TIMEOUT_MS. 60 s idle matches common client pools
     * (which re-use a connection within seconds) and stays above them, so a provider is rarely
     * closed on mid-send. 64 connections and 64 requests per address: above the 50 closed-loop
     * connections of our own benchmark (bench/run.sh, one address), and an eighth of
     * MAX_CONCURRENT_REQUESTS (512), so one address leaves seven eighths of the slots to the others.
     */
    static ConnectionLimits from(Settings settings) {
        return new ConnectionLimits(
                settings.getDuration("http.read-timeout-ms", 10_000),
                settings.getDuration("http.idle-timeout-ms", 60_000),
                nonNegative(
                        settings.getInt("http.max-connections-per-address", 64), "http.max-connections-per-address"),
                nonNegative(
                        settings.getInt("max-concurrent-requests-per-address", 64),
                        "max-concurrent-requests-per-address"));
    }

    private static int nonNegative(int value, String key) {
        if (value < 0) {
            throw new IllegalStateException(
                    SettingValues.environmentName(key) + " (" + key + ") must be 0 (no limit) or more: " + value);
        }
        return value;
    }
}
