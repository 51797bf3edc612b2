package io.herald.e2e;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PrivateChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.client.util.HttpChannelAuthorizer;
import com.pusher.client.util.HttpUserAuthenticator;
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
    final Pusher pusher;
    final BlockingQueue<String> presence = new LinkedBlockingQueue<>();
    final BlockingQueue<PusherEvent> events = new LinkedBlockingQueue<>();
    final BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> disconnected = new CompletableFuture<>();

    Member(String name, int edgePort, TenantServer tenant) throws Exception {
        this.name = name;
        pusher = new Pusher(Cluster.KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(edgePort).setUseTLS(false)
                .setChannelAuthorizer(new HttpChannelAuthorizer(tenant.url("/pusher/auth?user=" + name)))
                .setUserAuthenticator(new HttpUserAuthenticator(tenant.url("/pusher/user-auth?user=" + name))));
        CompletableFuture<Void> connected = new CompletableFuture<>();
        pusher.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.complete(null);
                }
                if (change.getCurrentState() == ConnectionState.DISCONNECTED) {
                    disconnected.complete(null);
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
                errors.add(code + " " + message);
            }
        }, ConnectionState.ALL);
        connected.get(20, TimeUnit.SECONDS);
    }

    /** Joins a presence channel and returns the member ids it was given. */
    Set<String> joinPresence(String channel) throws Exception {
        CompletableFuture<Set<String>> members = new CompletableFuture<>();
        pusher.subscribePresence(channel, new PresenceChannelEventListener() {
            @Override
            public void onUsersInformationReceived(String channelName, Set<User> users) {
                members.complete(users.stream().map(User::getId).collect(java.util.stream.Collectors.toSet()));
            }

            @Override
            public void userSubscribed(String channelName, User user) {
                presence.add("+" + user.getId());
            }

            @Override
            public void userUnsubscribed(String channelName, User user) {
                presence.add("-" + user.getId());
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
        });
        return members.get(20, TimeUnit.SECONDS);
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
        T item = queue.poll(30, TimeUnit.SECONDS);
        if (item == null) {
            throw new AssertionError("nothing arrived within 30 s");
        }
        return item;
    }

    @Override
    public void close() {
        pusher.disconnect();
    }
}
