package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.MessageIds;
import io.herald.core.state.ChannelState;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.app.WebhookEventType;
import io.herald.core.webhook.WebhookQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * What the edge tells others: frames it publishes to a channel's subscribers on every node
 * (presence changes, client events), and webhook events it queues for the app.
 *
 * <p>Occupancy and presence webhooks follow Pusher: {@code channel_vacated} and
 * {@code member_removed} are sent only after {@code leaveDelay} (3 s), and not at all if the
 * channel is occupied again or the user is back by then. A dead node's departures, found by the
 * reaper, are checked and announced at once: the node is known dead, and its clients have had the
 * whole node timeout to come back elsewhere. Which state the app was last told is
 * kept in the {@link ChannelState} ({@link ChannelState#announce}), so each real change is
 * announced once across the cluster, and a quick leave-and-return announces nothing.
 *
 * <p>Fire and forget: a frame that cannot be published (its shard is down) is lost like any
 * message to that shard; a webhook that cannot be queued is logged. Nothing here blocks.
 */
public final class ChannelNotifier {

    private static final Logger log = LoggerFactory.getLogger(ChannelNotifier.class);

    private final Broker broker;
    private final WebhookQueue webhooks;
    private final ChannelState state;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Duration leaveDelay;

    public ChannelNotifier(Broker broker, WebhookQueue webhooks, ChannelState state, Clock clock, Scheduler scheduler,
            Duration leaveDelay) {
        this.broker = broker;
        this.webhooks = webhooks;
        this.state = state;
        this.clock = clock;
        this.scheduler = scheduler;
        this.leaveDelay = leaveDelay;
    }

    /** Publishes a frame to every subscriber of the channel but {@code excludeSocketId}. */
    public void publish(ChannelKey channel, byte[] frame, String excludeSocketId) {
        broker.publish(new Envelope(channel, MessageIds.next(), excludeSocketId, frame))
                .subscribe(null, ex -> log.warn("Could not publish to {}: {}", channel, ex.getMessage()));
    }

    /** Queues a webhook event at once if one of the app's endpoints wants its type. */
    public void webhook(App app, WebhookEvent event) {
        if (!wants(app, event.type())) {
            return;
        }
        webhooks.enqueue(event).subscribe(null,
                ex -> log.warn("Could not queue {} webhook for app {}: {}", event.type().wireName(), app.id(),
                        ex.getMessage()));
    }

    /** {@code cache_miss} (or another channel event without a state to track), at once. */
    public void channelWebhook(App app, WebhookEventType type, String channel) {
        if (wants(app, type)) {
            webhook(app, WebhookEvent.channel(app.id(), type, channel, clock.millis()));
        }
    }

    /** The channel's first subscription in the cluster: {@code channel_occupied}, unless already announced. */
    public void occupied(App app, String channel) {
        announce(app, WebhookEventType.CHANNEL_OCCUPIED, new ChannelKey(app.id(), channel), ChannelState.CHANNEL,
                true, null);
    }

    /** A user's first connection to a presence channel: {@code member_added}, unless already announced. */
    public void memberAdded(App app, String channel, String userId) {
        announce(app, WebhookEventType.MEMBER_ADDED, new ChannelKey(app.id(), channel), userId, true, userId);
    }

    /** The channel's last subscription left: {@code channel_vacated} after the delay, if still empty. */
    public void vacated(App app, String channel) {
        vacated(app, channel, leaveDelay);
    }

    /**
     * {@code channel_vacated} after {@code delay}, if still empty: the leave delay for a client
     * that left, none for a dead node's share (see {@link EdgeNode}).
     */
    public void vacated(App app, String channel, Duration delay) {
        ChannelKey key = new ChannelKey(app.id(), channel);
        if (!wants(app, WebhookEventType.CHANNEL_VACATED) && !wants(app, WebhookEventType.CHANNEL_OCCUPIED)) {
            return;
        }
        later(() -> state.subscriptionCount(key).filter(count -> count == 0).subscribe(
                empty -> announce(app, WebhookEventType.CHANNEL_VACATED, key, ChannelState.CHANNEL, false, null),
                ex -> log.warn("Checking whether {} is still vacated failed: {}", key, ex.toString())), delay);
    }

    /** A user's last connection left a presence channel: {@code member_removed} after the delay, if still gone. */
    public void memberRemoved(App app, String channel, String userId) {
        memberRemoved(app, channel, userId, leaveDelay);
    }

    /** {@code member_removed} after {@code delay}, if the user is still gone; see {@link #vacated(App, String, Duration)}. */
    public void memberRemoved(App app, String channel, String userId, Duration delay) {
        ChannelKey key = new ChannelKey(app.id(), channel);
        if (!wants(app, WebhookEventType.MEMBER_REMOVED) && !wants(app, WebhookEventType.MEMBER_ADDED)) {
            return;
        }
        later(() -> state.members(key)
                .filter(members -> members.stream().noneMatch(m -> m.userId().equals(userId)))
                .subscribe(gone -> announce(app, WebhookEventType.MEMBER_REMOVED, key, userId, false, userId),
                        ex -> log.warn("Checking whether {} left {} failed: {}", userId, key, ex.toString())),
                delay);
    }

    private void later(Runnable task, Duration delay) {
        scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Records the announcement (for apps that track this channel's state through webhooks) and
     * queues the webhook when it changes what the app was told.
     */
    private void announce(App app, WebhookEventType type, ChannelKey key, String subject, boolean present,
            String userId) {
        if (!wants(app, type) && !wants(app, opposite(type))) {
            return;
        }
        state.announce(key, subject, present).filter(Boolean::booleanValue)
                .flatMap(changed -> wants(app, type) ? Mono.just(changed) : Mono.empty())
                .subscribe(changed -> webhook(app, userId == null
                        ? WebhookEvent.channel(app.id(), type, key.channel(), clock.millis())
                        : WebhookEvent.member(app.id(), type, key.channel(), userId, clock.millis())),
                        ex -> log.warn("Recording the {} announcement of {} failed: {}", type.wireName(), key,
                                ex.toString()));
    }

    private static WebhookEventType opposite(WebhookEventType type) {
        return switch (type) {
            case CHANNEL_OCCUPIED -> WebhookEventType.CHANNEL_VACATED;
            case CHANNEL_VACATED -> WebhookEventType.CHANNEL_OCCUPIED;
            case MEMBER_ADDED -> WebhookEventType.MEMBER_REMOVED;
            case MEMBER_REMOVED -> WebhookEventType.MEMBER_ADDED;
            default -> type;
        };
    }

    long nowMillis() {
        return clock.millis();
    }

    static boolean wants(App app, WebhookEventType type) {
        return app.webhooks().stream().anyMatch(w -> w.wants(type));
    }
}
