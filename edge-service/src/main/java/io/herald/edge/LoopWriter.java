package io.herald.edge;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every write to the connections one event loop owns goes through that loop's writer: a
 * lock-free multi-producer queue drained on the loop, with one flush per written connection at
 * the end of each drain.
 *
 * <p>Why one queue per loop and not one per connection: a message to a channel with 2,000 local
 * subscribers costs one queue insert and at most one wake-up per loop (the loop is woken only
 * when no drain is already scheduled), not 2,000; and when several messages arrive within one
 * loop turn each connection is flushed once for all of them, so one socket write carries them
 * together.
 *
 * <p><b>Ordering.</b> Items run in the order they were submitted, whatever thread submitted them;
 * a submission made on the loop itself, outside a drain, drains at once (which runs everything
 * submitted before it first). So a reply queued before a channel message is written before it,
 * and a close is written after every frame queued before it.
 */
public final class LoopWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LoopWriter.class);

    /** The most items one drain runs before it lets the loop do its I/O; the rest run in the next turn. */
    private static final int MAX_ITEMS_PER_DRAIN = 1024;

    /** One unit of work on the loop: a write to one connection, a group of them, or a close. */
    public abstract static class Item {

        /** Runs on the loop; reports each connection it wrote to with {@link LoopWriter#written}. */
        protected abstract void run(LoopWriter writer);

        /** The item will never run (the loop is shutting down): release what it holds. */
        protected void discard() {
        }
    }

    private final EventExecutor loop;
    private final Queue<Item> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Connections written to in this drain and not yet flushed; touched on the loop only. */
    private final ArrayList<EdgeConnection> unflushed = new ArrayList<>();
    /** On the loop only: a drain is running, so a submission from the loop just joins it. */
    private boolean draining;

    public LoopWriter(EventExecutor loop) {
        this.loop = Objects.requireNonNull(loop, "loop");
    }

    public EventExecutor loop() {
        return loop;
    }

    /** Queues an item; from any thread, never blocks. */
    public void submit(Item item) {
        queue.offer(item);
        if (loop.inEventLoop()) {
            if (!draining) {
                run();
            }
            return;
        }
        schedule();
    }

    private void schedule() {
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this);
            }
            catch (RejectedExecutionException ex) {
                // The loop is shutting down, and its connections with it.
                log.debug("Event loop {} refused a write: {}", loop, ex.toString());
                Item item;
                while ((item = queue.poll()) != null) {
                    item.discard();
                }
            }
        }
    }

    /** Marks a connection written to, so it is flushed once at the end of this drain. */
    public void written(EdgeConnection connection) {
        if (!connection.flushPending) {
            connection.flushPending = true;
            unflushed.add(connection);
        }
    }

    /** Drains the queue on the loop; not for callers. */
    @Override
    public void run() {
        if (draining) {
            return;
        }
        scheduled.set(false);
        draining = true;
        try {
            Item item;
            int ran = 0;
            while (ran++ < MAX_ITEMS_PER_DRAIN && (item = queue.poll()) != null) {
                try {
                    item.run(this);
                }
                catch (RuntimeException ex) {
                    // One bad item must not strand the others queued behind it.
                    log.warn("A write on event loop {} failed", loop, ex);
                }
            }
            flush();
        }
        finally {
            draining = false;
        }
        if (!queue.isEmpty()) {
            // Left over by the batch limit, or submitted on the loop during the flush.
            schedule();
        }
    }

    private void flush() {
        for (int i = 0; i < unflushed.size(); i++) {
            EdgeConnection connection = unflushed.get(i);
            connection.flushPending = false;
            try {
                connection.transport().flush();
            }
            catch (RuntimeException ex) {
                log.warn("Flushing {} failed", connection, ex);
            }
        }
        unflushed.clear();
    }
}
