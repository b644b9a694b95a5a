package io.dlrhub.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The secrets filter looks only at lines that are logged: a disabled DEBUG line costs no formatting. */
class SecretLogFilterTest {

    @Test
    void aLineItsLevelDropsIsNeitherFormattedNorLookedAt() {
        SecretLogFilter.keepOut("secret-log-filter-test-value");
        SecretLogFilter.install();
        AtomicInteger formatted = new AtomicInteger();
        Object argument = new Object() {
            @Override
            public String toString() {
                formatted.incrementAndGet();
                return "an exchange";
            }
        };
        Logger logger = LoggerFactory.getLogger("io.dlrhub.observe.quiet");
        assertThat(logger.isDebugEnabled()).as("the test's log level").isFalse();

        // what Camel does per message: debug and trace calls with arguments, disabled
        logger.trace("Processing {}", argument);
        logger.debug("Sending {} to {}", argument, argument);
        logger.debug("Sent {} {} {}", argument, argument, argument);

        assertThat(formatted).as("arguments formatted for lines nobody logs").hasValue(0);

        logger.info("Processed {}", argument);
        assertThat(formatted).as("a logged line is still looked at").hasPositiveValue();
    }
}
