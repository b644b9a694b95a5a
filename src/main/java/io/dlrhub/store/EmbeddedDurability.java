package io.dlrhub.store;

import java.util.Locale;

/**
 * A 2xx means the event is on disk, on the embedded database too.
 * <ul>
 * <li>H2 acknowledges a commit at once and writes it up to half a second later by default
 * ({@code WRITE_DELAY=500}): a crash in that window lost events that had been answered
 * {@code 200 accepted}. An H2 file URL gets {@code WRITE_DELAY=0} (each commit is written before
 * it returns), unless it sets its own.</li>
 * <li>Each commit is then written by the thread that commits. H2's default file channel closes
 * itself, and H2 the whole database, when such a thread is interrupted (Camel interrupts the
 * jobs still running when a stop takes too long): an H2 file URL is opened through H2's
 * {@code async:} file system, whose channel an interrupt does not close.</li>
 * </ul>
 */
final class EmbeddedDurability {

    private static final String H2 = "jdbc:h2:";

    private EmbeddedDurability() {}

    static String durable(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith(H2)) {
            return url;
        }
        String location = url.substring(H2.length());
        String lowerLocation = location.toLowerCase(Locale.ROOT);
        if (lowerLocation.startsWith("file:")) {
            location = "async:" + location.substring("file:".length());
        } else if (!hasFileSystemPrefix(location)) {
            location = "async:" + location;
        } else if (!lowerLocation.startsWith("async:")) {
            // mem:, tcp:, ssl:, zip:, … : not an embedded file this rule is about
            return url;
        }
        String durable = H2 + location;
        return lower.contains(";write_delay=") ? durable : durable + ";WRITE_DELAY=0";
    }

    /** "mem:x", "tcp://…", "async:./x" have one; "./data/x", "/var/x", "~/x", "C:/x" do not. */
    private static boolean hasFileSystemPrefix(String location) {
        int colon = location.indexOf(':');
        int end = location.indexOf(';') < 0 ? location.length() : location.indexOf(';');
        return colon > 1 && colon < end;
    }
}
