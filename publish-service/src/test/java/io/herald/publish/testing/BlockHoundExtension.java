package io.herald.publish.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound once per test JVM, before any test class runs, so that a blocking call on
 * a Reactor or Netty event loop fails with {@code BlockingOperationError}. Registered for every
 * test class through JUnit's extension auto-detection.
 */
public final class BlockHoundExtension implements BeforeAllCallback {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            BlockHound.install();
        }
    }
}
