package io.herald.publish.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM, before any test class runs, so that a blocking call on
 * a Reactor or Netty event loop fails with {@code BlockingOperationError}. Registered for every
 * test class through JUnit's extension auto-detection. The only allowances are for locks inside
 * Netty's allocator.
 */
public final class BlockHoundExtension implements BeforeAllCallback {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            BlockHound.install(builder -> builder
                    // Netty 4.2's adaptive allocator takes a short internal StampedLock when it adds a magazine
                    // under contention: a synchronisation, not I/O (a known false positive, see armeria#6344).
                    .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
                            "tryExpandMagazines")
                    .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free"));
        }
    }
}
