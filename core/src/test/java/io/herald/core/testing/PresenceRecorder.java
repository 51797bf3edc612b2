package io.herald.core.testing;

import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A pusher-java-client presence listener that records what the channel tells its subscriber: the
 * member list of {@code subscription_succeeded} (or the authorization failure), arrivals and
 * departures as {@code "+id"} / {@code "-id"}, and the channel's other events.
 */
public final class PresenceRecorder implements PresenceChannelEventListener {

    /** The members on subscribing; fails with the reason when authorization fails. */
    public final CompletableFuture<Set<User>> members = new CompletableFuture<>();
    public final BlockingQueue<String> changes;
    public final BlockingQueue<PusherEvent> events;

    public PresenceRecorder() {
        this(new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>());
    }

    /** Records arrivals, departures and events into queues the caller shares across channels. */
    public PresenceRecorder(BlockingQueue<String> changes, BlockingQueue<PusherEvent> events) {
        this.changes = changes;
        this.events = events;
    }

    @Override
    public void onUsersInformationReceived(String channelName, Set<User> users) {
        members.complete(users);
    }

    @Override
    public void userSubscribed(String channelName, User user) {
        changes.add("+" + user.getId());
    }

    @Override
    public void userUnsubscribed(String channelName, User user) {
        changes.add("-" + user.getId());
    }

    @Override
    public void onAuthenticationFailure(String message, Exception e) {
        members.completeExceptionally(new AssertionError(message, e));
    }

    @Override
    public void onSubscriptionSucceeded(String channelName) {
    }

    @Override
    public void onEvent(PusherEvent event) {
        events.add(event);
    }
}
