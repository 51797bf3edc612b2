package io.herald.core.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM, before any test class runs, so that a blocking call on
 * a Reactor or Netty event loop fails with {@code BlockingOperationError}. Registered for every
 * test class of a module that enables JUnit's extension auto-detection and lists this class in
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} (edge, publish, standalone
 * and e2e do). The allowances are for synchronisation that is not I/O.
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
                    .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
                    // Console logging writes synchronously; it is not the code under test.
                    .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes"));
        }
    }
}
