package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.broker.ChannelKey;
import io.herald.core.names.ChannelType;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelState;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.app.WebhookEventType;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * {@code pusher_internal:subscription_count} for apps that enable it (not on presence channels,
 * which have their member list): when a channel's subscriptions change, its subscribers get the
 * cluster-wide count, and a {@code subscription_count} webhook is queued.
 *
 * <p>Changes are coalesced per channel: the first change schedules one announcement after
 * {@link #SMALL_CHANNEL_DELAY} (or {@link #LARGE_CHANNEL_DELAY} for channels above
 * {@link #LARGE_CHANNEL}), which reads the count at that moment. A burst of joins costs one
 * frame to each subscriber, not one per join, so a large channel filling up is not quadratic.
 */
public final class SubscriptionCounts {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionCounts.class);

    /** Above this many subscriptions a channel's count is announced at most every {@link #LARGE_CHANNEL_DELAY}. */
    static final long LARGE_CHANNEL = 100;
    static final Duration SMALL_CHANNEL_DELAY = Duration.ofMillis(200);
    static final Duration LARGE_CHANNEL_DELAY = Duration.ofSeconds(5);

    private final ChannelState state;
    private final ChannelNotifier notifier;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Map<ChannelKey, Boolean> pending = new ConcurrentHashMap<>();

    public SubscriptionCounts(ChannelState state, ChannelNotifier notifier, Scheduler scheduler, Clock clock) {
        this.state = state;
        this.notifier = notifier;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** A subscription to the channel began or ended; {@code count} is the cluster-wide count after it. */
    void changed(App app, String channel, long count) {
        if (!app.features().subscriptionCount() || ChannelType.of(channel).isPresence()) {
            return;
        }
        ChannelKey key = new ChannelKey(app.id(), channel);
        if (pending.putIfAbsent(key, Boolean.TRUE) != null) {
            return;
        }
        Duration delay = count > LARGE_CHANNEL ? LARGE_CHANNEL_DELAY : SMALL_CHANNEL_DELAY;
        scheduler.schedule(() -> announce(app, key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void announce(App app, ChannelKey key) {
        pending.remove(key);
        state.subscriptionCount(key).subscribe(count -> {
            if (count > 0) {
                notifier.publish(key, PusherCodec.subscriptionCount(key.channel(), count), null);
            }
            notifier.webhook(app, new WebhookEvent(app.id(), WebhookEventType.SUBSCRIPTION_COUNT, key.channel(), null,
                    null, null, null, count, clock.millis()));
        }, ex -> log.warn("Reading the subscription count of {} failed: {}", key, ex.toString()));
    }
}
