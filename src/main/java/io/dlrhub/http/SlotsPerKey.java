package io.dlrhub.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code max} slots per key (a client address): open connections, requests in progress.
 * A key holds an entry only while it holds a slot, so addresses that come and go leave nothing behind.
 */
final class SlotsPerKey {

    private final int max;
    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    SlotsPerKey(int max) {
        this.max = max;
    }

    /** Takes a slot for the key; false (and nothing taken) when the key already holds {@code max}. */
    boolean take(String key) {
        if (held.merge(key, 1, Integer::sum) > max) {
            release(key);
            return false;
        }
        return true;
    }

    void release(String key) {
        held.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }
}
