package io.dlrhub.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {

    /** A clock the test moves by hand: expiry is decided by the time it reads, not by waiting. */
    static final class HandClock extends Clock {
        Instant now = Instant.parse("2026-11-30T12:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final HandClock clock = new HandClock();
    private final ConsoleSessions sessions =
            new ConsoleSessions(clock, Duration.ofMinutes(30), Duration.ofHours(12), 3);

    @Test
    void aSessionIsARandomIdWithACsrfTokenOfItsOwn() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ConsoleSessions.Session session = sessions.open();
            assertThat(session.id()).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(session.csrfToken());
            assertThat(seen.add(session.id())).isTrue();
            assertThat(seen.add(session.csrfToken())).isTrue();
            assertThat(sessions.use(session.id())).contains(session);
        }
        assertThat(sessions.use("not-a-session")).isEmpty();
        assertThat(sessions.use(null)).isEmpty();
    }

    @Test
    void endsWhenUnusedForTheIdleTimeAndUseKeepsItAlive() {
        ConsoleSessions.Session used = sessions.open();
        ConsoleSessions.Session idle = sessions.open();

        clock.advance(Duration.ofMinutes(29));
        assertThat(sessions.use(used.id())).isPresent();
        clock.advance(Duration.ofMinutes(2));

        assertThat(sessions.use(idle.id())).isEmpty();
        assertThat(sessions.use(used.id())).isPresent();
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void endsAtItsLifetimeHoweverBusy() {
        ConsoleSessions.Session session = sessions.open();
        for (int i = 0; i < 24; i++) {
            clock.advance(Duration.ofMinutes(29));
            sessions.use(session.id());
        }
        assertThat(sessions.use(session.id())).as("after 11 h 36 min").isPresent();
        clock.advance(Duration.ofMinutes(29));

        assertThat(sessions.use(session.id())).as("after 12 h 5 min").isEmpty();
    }

    @Test
    void signOutEndsItAtOnce() {
        ConsoleSessions.Session session = sessions.open();

        sessions.close(session.id());

        assertThat(sessions.use(session.id())).isEmpty();
    }

    @Test
    void aFullStoreForgetsTheLeastRecentlyUsedSession() {
        ConsoleSessions.Session first = sessions.open();
        clock.advance(Duration.ofSeconds(1));
        ConsoleSessions.Session second = sessions.open();
        clock.advance(Duration.ofSeconds(1));
        ConsoleSessions.Session third = sessions.open();
        clock.advance(Duration.ofSeconds(1));
        sessions.use(first.id());

        ConsoleSessions.Session fourth = sessions.open();

        assertThat(sessions.size()).isEqualTo(3);
        assertThat(sessions.use(second.id())).isEmpty();
        assertThat(sessions.use(first.id())).isPresent();
        assertThat(sessions.use(third.id())).isPresent();
        assertThat(sessions.use(fourth.id())).isPresent();
    }
}
