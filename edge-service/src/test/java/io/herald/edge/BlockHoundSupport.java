package io.herald.edge;

import reactor.blockhound.BlockHound;

/** Installs BlockHound once per JVM: a blocking call on a Reactor or Netty thread fails the test. */
final class BlockHoundSupport {

    private static boolean installed;

    static synchronized void install() {
        if (!installed) {
            BlockHound.builder()
                    // Console logging writes synchronously; it is not the code under test.
                    .allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes")
                    .allowBlockingCallsInside("ch.qos.logback.core.ConsoleAppender", "append")
                    .install();
            installed = true;
        }
    }

    private BlockHoundSupport() {
    }
}
