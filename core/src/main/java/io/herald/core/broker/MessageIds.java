package io.herald.core.broker;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Message ids for {@link Envelope}s: short, ASCII and unique across a cluster — a random prefix
 * chosen once per process, and a counter. Generating one never blocks (unlike
 * {@code UUID.randomUUID()}, which may read {@code /dev/urandom} on an event loop). Not secret.
 */
public final class MessageIds {

    // Not SecureRandom: this class may first be loaded on an event loop, where reading the
    // entropy source would block. The ids only need to differ between processes, not be secret.
    private static final String PREFIX = Long.toString(
            (ThreadLocalRandom.current().nextLong() ^ System.nanoTime() ^ (ProcessHandle.current().pid() << 40))
                    & Long.MAX_VALUE, 36) + "-";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private MessageIds() {
    }

    public static String next() {
        return PREFIX + Long.toString(SEQUENCE.incrementAndGet(), 36);
    }
}
