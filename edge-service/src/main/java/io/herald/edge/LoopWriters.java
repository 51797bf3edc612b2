package io.herald.edge;

import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** This node's {@link LoopWriter}s, one per event loop that owns connections (a handful, made on first use). */
public final class LoopWriters {

    private final Map<EventExecutor, LoopWriter> writers = new ConcurrentHashMap<>();

    /** The writer of the loop, made the first time a connection of that loop asks. */
    public LoopWriter of(EventExecutor loop) {
        LoopWriter writer = writers.get(loop);
        return writer != null ? writer : writers.computeIfAbsent(loop, LoopWriter::new);
    }
}
