package io.dlrhub.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.util.HashMap;
import java.util.Map;

/** The CRM: a WireMock on loopback that answers 200 (or 503 during an outage) and remembers every call. */
final class CrmStub implements AutoCloseable {

    private final WireMockServer server = new WireMockServer(
            wireMockConfig().bindAddress("127.0.0.1").dynamicPort().containerThreads(60));
    private volatile StubMapping outage;

    CrmStub() {
        this(0);
    }

    /** A CRM that takes {@code delayMillis} to answer each call (so that deliveries are in flight). */
    CrmStub(int delayMillis) {
        server.start();
        server.stubFor(post(urlPathEqualTo("/crm")).atPriority(5).willReturn(ok().withFixedDelay(delayMillis)));
    }

    int port() {
        return server.port();
    }

    /** From now on every call is answered 503 (no Retry-After), until {@link #recover()}. */
    synchronized void fail() {
        outage = server.stubFor(post(urlPathEqualTo("/crm"))
                .atPriority(1)
                .willReturn(aResponse().withStatus(503)));
    }

    synchronized void recover() {
        if (outage != null) {
            server.removeStub(outage);
            outage = null;
        }
    }

    /** What the CRM received: calls per Idempotency-Key, split by the answer it gave. */
    Tally tally() {
        Map<String, Integer> accepted = new HashMap<>();
        int calls = 0;
        int refused = 0;
        int withoutKey = 0;
        for (ServeEvent event : server.getAllServeEvents()) {
            calls++;
            String key = event.getRequest().getHeader("Idempotency-Key");
            if (key == null) {
                withoutKey++;
            }
            if (event.getResponse().getStatus() == 200) {
                accepted.merge(String.valueOf(key), 1, Integer::sum);
            } else {
                refused++;
            }
        }
        return new Tally(Map.copyOf(accepted), calls, refused, withoutKey);
    }

    /**
     * @param accepted   calls answered 200, per Idempotency-Key (event_id)
     * @param calls      every call
     * @param refused    calls answered otherwise (503 during an outage)
     * @param withoutKey calls that carried no Idempotency-Key
     */
    record Tally(Map<String, Integer> accepted, int calls, int refused, int withoutKey) {

        int events() {
            return accepted.size();
        }

        /** Events the CRM accepted more than once. */
        long duplicatedEvents() {
            return accepted.values().stream().filter(n -> n > 1).count();
        }

        /** Accepted calls beyond the first per event. */
        long extraCalls() {
            return accepted.values().stream().mapToLong(n -> n - 1).sum();
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
