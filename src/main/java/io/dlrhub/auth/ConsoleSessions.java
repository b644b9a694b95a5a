package io.dlrhub.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sign-ins, in memory: a session is a random id (the cookie) with a CSRF token of its
 * own. It ends when unused for {@code idle}, {@code maxAge} after sign-in, at sign-out, or when the
 * service restarts (the operator signs in again: nothing to keep in the database, nothing shared
 * between instances, so a load balancer in front of several instances needs sticky sessions).
 * At most {@code capacity} sessions are kept; beyond, the least recently used one ends, so
 * sign-ins cannot grow the heap.
 */
public final class ConsoleSessions {

    /** One signed-in browser. The id is only ever in the cookie; the CSRF token is sent back by the page's script. */
    public record Session(String id, String csrfToken, Instant signedInAt) {}

    private static final class Entry {
        final Session session;
        volatile Instant lastUsed;

        Entry(Session session, Instant lastUsed) {
            this.session = session;
            this.lastUsed = lastUsed;
        }
    }

    private final Map<String, Entry> sessions = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration idle;
    private final Duration maxAge;
    private final int capacity;

    public ConsoleSessions(Clock clock, Duration idle, Duration maxAge, int capacity) {
        if (idle.isZero() || idle.isNegative() || maxAge.isZero() || maxAge.isNegative()) {
            throw new IllegalStateException(
                    "CONSOLE_SESSION_IDLE_SECONDS and CONSOLE_SESSION_MAX_SECONDS must be above 0");
        }
        this.clock = clock;
        this.idle = idle;
        this.maxAge = maxAge;
        this.capacity = Math.max(1, capacity);
    }

    public Duration idleTimeout() {
        return idle;
    }

    /** A new session with a fresh id and CSRF token (never one from the request: no session fixation). */
    public Session open() {
        Instant now = clock.instant();
        sessions.values().removeIf(entry -> expired(entry, now));
        while (sessions.size() >= capacity) {
            sessions.values().stream()
                    .min(Comparator.comparing(entry -> entry.lastUsed))
                    .ifPresent(oldest -> sessions.remove(oldest.session.id()));
        }
        Session session = new Session(Secrets.randomToken(), Secrets.randomToken(), now);
        sessions.put(session.id(), new Entry(session, now));
        return session;
    }

    /** The live session with this id, its idle time restarted; empty (and forgotten) when it has expired. */
    public Optional<Session> use(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Entry entry = sessions.get(id);
        if (entry == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (expired(entry, now)) {
            sessions.remove(id, entry);
            return Optional.empty();
        }
        entry.lastUsed = now;
        return Optional.of(entry.session);
    }

    public void close(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    public int size() {
        return sessions.size();
    }

    private boolean expired(Entry entry, Instant now) {
        return !now.isBefore(entry.lastUsed.plus(idle))
                || !now.isBefore(entry.session.signedInAt().plus(maxAge));
    }
}
