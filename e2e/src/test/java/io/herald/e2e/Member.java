package io.herald.e2e;

import com.pusher.client.Pusher;
import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.util.HttpChannelAuthorizer;
import com.pusher.client.util.HttpUserAuthenticator;
import io.herald.core.testing.OfficialClient;
import io.herald.core.testing.PresenceRecorder;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One user of the tenant's app on pusher-java-client, authorized by the tenant's HTTP endpoints
 * (the client's own {@link HttpChannelAuthorizer} and {@link HttpUserAuthenticator}).
 */
final class Member implements AutoCloseable {

    final String name;
    final OfficialClient client;
    final Pusher pusher;
    final BlockingQueue<String> presence = new LinkedBlockingQueue<>();
    final BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
    final BlockingQueue<String> errors;
    final CompletableFuture<Void> disconnected;

    Member(String name, int edgePort, TenantServer tenant) throws Exception {
        this(name, edgePort, tenant, false);
    }

    /** With {@code signIn} the member also signs in (user authentication) once connected. */
    Member(String name, int edgePort, TenantServer tenant, boolean signIn) throws Exception {
        this.name = name;
        java.util.function.UnaryOperator<com.pusher.client.PusherOptions> options = o -> o
                .setChannelAuthorizer(new HttpChannelAuthorizer(tenant.url("/pusher/auth?user=" + name)))
                .setUserAuthenticator(new HttpUserAuthenticator(tenant.url("/pusher/user-auth?user=" + name)));
        client = signIn ? OfficialClient.connectSignedIn(Cluster.KEY, edgePort, options)
                : OfficialClient.connect(Cluster.KEY, edgePort, options);
        pusher = client.pusher;
        errors = client.errors;
        disconnected = client.disconnected;
    }

    /** Joins a presence channel, listening to {@code eventNames}, and returns the member ids it was given. */
    Set<String> joinPresence(String channel, String... eventNames) throws Exception {
        PresenceRecorder recorder = new PresenceRecorder(presence, events);
        pusher.subscribePresence(channel, recorder, eventNames);
        return recorder.members.get(20, TimeUnit.SECONDS).stream().map(User::getId)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** Subscribes to a private channel and waits until it succeeded. */
    void joinPrivate(String channel, String... eventNames) throws Exception {
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        pusher.subscribePrivate(channel, new PrivateChannelEventListener() {
            @Override
            public void onAuthenticationFailure(String message, Exception e) {
                subscribed.completeExceptionally(new AssertionError(message, e));
            }

            @Override
            public void onSubscriptionSucceeded(String channelName) {
                subscribed.complete(null);
            }

            @Override
            public void onEvent(PusherEvent event) {
                events.add(event);
            }
        }, eventNames);
        subscribed.get(20, TimeUnit.SECONDS);
    }

    static <T> T next(BlockingQueue<T> queue) throws InterruptedException {
        return OfficialClient.next(queue);
    }

    @Override
    public void close() {
        client.close();
    }
}
