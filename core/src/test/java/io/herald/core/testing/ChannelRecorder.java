package io.herald.core.testing;

import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A pusher-java-client listener for a public channel that records what it is told: that the
 * subscription succeeded, and the events bound to it, in order. (Presence: {@link PresenceRecorder}.)
 */
public final class ChannelRecorder implements ChannelEventListener {

    /** Completes on {@code pusher_internal:subscription_succeeded}. */
    public final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    public final BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();

    @Override
    public void onSubscriptionSucceeded(String channelName) {
        subscribed.complete(null);
    }

    @Override
    public void onEvent(PusherEvent event) {
        events.add(event);
    }
}
