package io.dlrhub.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the crash test proves end to end ({@code EmbeddedCrashTest}), rule by rule. */
class EmbeddedDurabilityTest {

    @Test
    void anEmbeddedFileDatabaseWritesEveryCommitBeforeItReturnsThroughAChannelThatSurvivesInterrupts() {
        assertThat(EmbeddedDurability.durable("jdbc:h2:file:./data/dlr-hub;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:async:./data/dlr-hub;MODE=PostgreSQL;WRITE_DELAY=0");
        assertThat(EmbeddedDurability.durable("jdbc:h2:./data/dlr-hub"))
                .isEqualTo("jdbc:h2:async:./data/dlr-hub;WRITE_DELAY=0");
        assertThat(EmbeddedDurability.durable("jdbc:h2:/var/lib/dlr-hub/db"))
                .isEqualTo("jdbc:h2:async:/var/lib/dlr-hub/db;WRITE_DELAY=0");
        assertThat(EmbeddedDurability.durable("jdbc:h2:async:./x")).isEqualTo("jdbc:h2:async:./x;WRITE_DELAY=0");
    }

    @Test
    void anExplicitWriteDelayAndOtherDatabasesAreLeftAsTheyAre() {
        assertThat(EmbeddedDurability.durable("jdbc:h2:file:./x;write_delay=100"))
                .isEqualTo("jdbc:h2:async:./x;write_delay=100");
        assertThat(EmbeddedDurability.durable("jdbc:h2:mem:x")).isEqualTo("jdbc:h2:mem:x");
        assertThat(EmbeddedDurability.durable("jdbc:h2:tcp://db/x")).isEqualTo("jdbc:h2:tcp://db/x");
        assertThat(EmbeddedDurability.durable("jdbc:postgresql://db/x")).isEqualTo("jdbc:postgresql://db/x");
    }
}
