package io.herald.core.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import reactor.blockhound.BlockHound;

/**
 * Installs BlockHound when the test JVM's JUnit session opens, before any test class is loaded,
 * so that a blocking call on a Reactor or Netty event loop fails with {@code BlockingOperationError}.
 * Registered in this test jar's {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener},
 * so every module with core's test jar on its test classpath (and core itself) runs under it.
 *
 * <p>Why at session start and not in a test class's callback: installing re-transforms JDK
 * classes, and threads already parked inside them (a Reactor scheduler's idle workers) then die
 * with {@code IllegalMonitorStateException} when they wake, taking their queued timers with
 * them. Installed late, BlockHound made later {@code Mono.timeout}s never fire.
 *
 * <p>The allowances are for synchronisation that is not I/O.
 */
public final class BlockHoundInstaller implements LauncherSessionListener {

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
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
                    // Lettuce guards each connection's writes with a short lock (SharedLock) that waits while
                    // the connection is being closed or reconnected. The error BlockHound would throw there
                    // escapes from inside Lettuce's bookkeeping and leaves its writer count negative, after
                    // which every write to that connection spins forever.
                    .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
                    .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive")
                    // A fan-out lane's thread is non-blocking while it delivers, and parks only here, when its
                    // queue is empty (FanoutLanes).
                    .allowBlockingCallsInside("io.herald.core.broker.FanoutLanes$Lane", "awaitWork")
                    // Console logging writes synchronously; it is not the code under test.
                    .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes"));
        }
    }
}
