package io.dlrhub.event;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Event ids as UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids
 * of events stored one after the other sit next to each other in the database's indexes, where
 * random (version 4) ids would touch a different index page for every event.
 */
public final class EventIds {

    private static final SecureRandom RANDOM = new SecureRandom();

    private EventIds() {}

    public static UUID at(long epochMillis) {
        long random = RANDOM.nextLong();
        long high = (epochMillis << 16) | 0x7000L | (random >>> 52);
        long low = (random & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }
}
