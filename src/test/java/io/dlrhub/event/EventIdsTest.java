package io.dlrhub.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7WithTheirMillisecondFirst() {
        long millis = 1_796_000_000_123L;
        UUID id = EventIds.at(millis);

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
        // the text form starts with the timestamp too: what a database compares
        assertThat(id.toString().replace("-", "").substring(0, 12)).isEqualTo(String.format("%012x", millis));
    }

    @Test
    void laterIdsSortAfterEarlierOnesAndNoneRepeat() {
        Set<UUID> seen = new HashSet<>();
        String previous = "";
        for (long millis = 1_796_000_000_000L; millis < 1_796_000_000_000L + 2_000; millis++) {
            UUID id = EventIds.at(millis);
            assertThat(seen.add(id)).isTrue();
            assertThat(id.toString()).isGreaterThan(previous);
            previous = id.toString();
            assertThat(seen.add(EventIds.at(millis)))
                    .as("same millisecond, other random bits")
                    .isTrue();
        }
    }
}
