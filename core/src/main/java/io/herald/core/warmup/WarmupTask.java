package io.herald.core.warmup;

import org.springframework.core.Ordered;

/**
 * One path a role warms before its node reports ready: the edge the handshake and subscribe, the
 * publish role the signed publish. {@link StartupWarmup} runs every task bean in {@link Ordered}
 * order, each through this server's own port with the internal {@link WarmupApp}, so each warms
 * exactly what the node serves, whatever serves it (Spring's dispatcher or a Netty route).
 */
public interface WarmupTask extends Ordered {

    /** What is warmed, for the log: {@code "handshake"}, {@code "publish"}. */
    String name();

    /**
     * Runs the warm-up and returns how far it got. Called on the thread that starts the
     * application (blocking is fine there), never on an event loop; must not throw for a failed
     * round (count it instead).
     */
    WarmupRounds run(WarmupContext context);
}
