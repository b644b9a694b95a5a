package io.dlrhub.store;

import java.util.Locale;

/**
 * A 2xx means the event is on disk, on the embedded database too. H2 acknowledges a commit at once
 * and writes it up to half a second later by default ({@code WRITE_DELAY=500}): a crash in that
 * window lost events that had been answered {@code 200 accepted}. An H2 file URL therefore always
 * gets {@code WRITE_DELAY=0} (each commit is written before it returns), unless it sets its own.
 */
final class EmbeddedDurability {

    private EmbeddedDurability() {
    }

    static String durable(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        boolean embeddedFile = lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:h2:mem:")
                && !lower.startsWith("jdbc:h2:tcp:") && !lower.startsWith("jdbc:h2:ssl:");
        if (!embeddedFile || lower.contains(";write_delay=")) {
            return url;
        }
        return url + ";WRITE_DELAY=0";
    }
}
