package io.dlrhub.event;

import static io.dlrhub.event.CanonicalStatus.DELIVERED;
import static io.dlrhub.event.CanonicalStatus.FAILED;
import static io.dlrhub.event.CanonicalStatus.QUEUED;
import static io.dlrhub.event.CanonicalStatus.READ;
import static io.dlrhub.event.CanonicalStatus.SENT;
import static io.dlrhub.event.CanonicalStatus.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CanonicalStatusTest {

    @Test
    void ranksOrderTheLifecycleWithDeliveredAndFailedEqual() {
        assertThat(UNKNOWN.rank()).isZero();
        assertThat(QUEUED.rank()).isEqualTo(1);
        assertThat(SENT.rank()).isEqualTo(2);
        assertThat(DELIVERED.rank()).isEqualTo(3);
        assertThat(FAILED.rank()).isEqualTo(3);
        assertThat(READ.rank()).isEqualTo(4);
    }

    @Test
    void aHigherRankSupersedesALowerOne() {
        assertThat(QUEUED.supersedes(UNKNOWN)).isTrue();
        assertThat(SENT.supersedes(QUEUED)).isTrue();
        assertThat(DELIVERED.supersedes(SENT)).isTrue();
        assertThat(FAILED.supersedes(SENT)).isTrue();
        assertThat(READ.supersedes(DELIVERED)).isTrue();
    }

    @Test
    void deliveredAndFailedDoNotSupersedeEachOther() {
        assertThat(DELIVERED.supersedes(FAILED)).isFalse();
        assertThat(FAILED.supersedes(DELIVERED)).isFalse();
    }

    @Test
    void aLowerRankNeverMovesTheMessageBackwards() {
        assertThat(SENT.supersedes(DELIVERED)).isFalse();
        assertThat(QUEUED.supersedes(SENT)).isFalse();
        assertThat(UNKNOWN.supersedes(QUEUED)).isFalse();
        assertThat(DELIVERED.supersedes(READ)).isFalse();
    }

    @Test
    void noStatusSupersedesItself() {
        for (CanonicalStatus status : CanonicalStatus.values()) {
            assertThat(status.supersedes(status)).as(status.name()).isFalse();
        }
    }
}
