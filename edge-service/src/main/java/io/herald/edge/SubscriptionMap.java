package io.herald.edge;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.UnaryOperator;

/**
 * One connection's subscriptions by channel name: a concurrent map that holds an immutable
 * snapshot and replaces it on every change (compare-and-set, retried when another thread
 * changed it first).
 *
 * <p>Why not a {@code ConcurrentHashMap}: an idle connection has one or two channels and keeps
 * them for hours, and a {@code ConcurrentHashMap} of one entry costs about 140 bytes (the map,
 * its table and a node) where this costs 40 (this object and a {@code Map.of(channel,
 * subscription)}); with tens of thousands of connections per node that is a few MiB. Changes
 * are rare (a subscribe or unsubscribe, bounded by {@code herald.edge.max-subscriptions}), so
 * copying the snapshot on each is cheap; reads ({@link #get}, on every client event and every
 * subscription change) read one volatile field.
 *
 * <p>Iteration, {@link #keySet()} and {@link #entrySet()} are live views that iterate the
 * snapshot current when the iteration started (weakly consistent, like a
 * {@code ConcurrentHashMap}'s); removing through their iterators removes the entry if it still
 * has the value iterated. No null keys or values.
 */
final class SubscriptionMap extends AbstractMap<String, Subscription> implements ConcurrentMap<String, Subscription> {

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<SubscriptionMap, Map> SNAPSHOT =
            AtomicReferenceFieldUpdater.newUpdater(SubscriptionMap.class, Map.class, "snapshot");

    /** Immutable ({@code Map.of}, {@code Map.copyOf}); replaced, never changed. */
    private volatile Map<String, Subscription> snapshot = Map.of();

    @Override
    public Subscription get(Object channel) {
        return snapshot.get(channel);
    }

    @Override
    public boolean containsKey(Object channel) {
        return snapshot.containsKey(channel);
    }

    @Override
    public int size() {
        return snapshot.size();
    }

    @Override
    public boolean isEmpty() {
        return snapshot.isEmpty();
    }

    @Override
    public Subscription put(String channel, Subscription subscription) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(subscription, "subscription");
        return update(current -> with(current, channel, subscription)).get(channel);
    }

    @Override
    public Subscription putIfAbsent(String channel, Subscription subscription) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(subscription, "subscription");
        return update(current -> current.containsKey(channel) ? current : with(current, channel, subscription))
                .get(channel);
    }

    @Override
    public Subscription remove(Object channel) {
        return update(current -> current.containsKey(channel) ? without(current, channel) : current).get(channel);
    }

    @Override
    public boolean remove(Object channel, Object subscription) {
        return subscription != null && subscription.equals(update(current -> subscription.equals(current.get(channel))
                ? without(current, channel) : current).get(channel));
    }

    @Override
    public boolean replace(String channel, Subscription expected, Subscription replacement) {
        Objects.requireNonNull(replacement, "replacement");
        return expected != null && expected.equals(update(current -> expected.equals(current.get(channel))
                ? with(current, channel, replacement) : current).get(channel));
    }

    @Override
    public Subscription replace(String channel, Subscription replacement) {
        Objects.requireNonNull(replacement, "replacement");
        return update(current -> current.containsKey(channel) ? with(current, channel, replacement) : current)
                .get(channel);
    }

    @Override
    public void clear() {
        snapshot = Map.of();
    }

    @Override
    public Set<Entry<String, Subscription>> entrySet() {
        // Not kept in a field: a view costs nothing to make, a field costs every connection 4 bytes.
        return new Entries();
    }

    /**
     * Applies {@code change} to the current snapshot until it is installed.
     *
     * @return the snapshot the change was applied to (the one before it)
     */
    @SuppressWarnings("unchecked")
    private Map<String, Subscription> update(UnaryOperator<Map<String, Subscription>> change) {
        while (true) {
            Map<String, Subscription> current = snapshot;
            Map<String, Subscription> next = change.apply(current);
            if (next == current || SNAPSHOT.compareAndSet(this, current, next)) {
                return current;
            }
        }
    }

    private static Map<String, Subscription> with(Map<String, Subscription> current, String channel,
            Subscription subscription) {
        if (current.isEmpty() || current.size() == 1 && current.containsKey(channel)) {
            return Map.of(channel, subscription);
        }
        Map<String, Subscription> copy = new HashMap<>(current);
        copy.put(channel, subscription);
        return Map.copyOf(copy);
    }

    private static Map<String, Subscription> without(Map<String, Subscription> current, Object channel) {
        if (current.size() == 1) {
            return Map.of();
        }
        Map<String, Subscription> copy = new HashMap<>(current);
        copy.remove(channel);
        return Map.copyOf(copy);
    }

    /** The live entry view: iterates the snapshot of the moment; its iterator's remove is {@link #remove(Object, Object)}. */
    private final class Entries extends AbstractSet<Entry<String, Subscription>> {

        @Override
        public Iterator<Entry<String, Subscription>> iterator() {
            Iterator<Entry<String, Subscription>> iterated = snapshot.entrySet().iterator();
            return new Iterator<>() {

                private Entry<String, Subscription> last;

                @Override
                public boolean hasNext() {
                    return iterated.hasNext();
                }

                @Override
                public Entry<String, Subscription> next() {
                    last = iterated.next();
                    return last;
                }

                @Override
                public void remove() {
                    if (last == null) {
                        throw new IllegalStateException();
                    }
                    SubscriptionMap.this.remove(last.getKey(), last.getValue());
                    last = null;
                }
            };
        }

        @Override
        public int size() {
            return snapshot.size();
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof Entry<?, ?> e && e.getValue() != null && e.getValue().equals(snapshot.get(e.getKey()));
        }

        @Override
        public void clear() {
            SubscriptionMap.this.clear();
        }
    }
}
