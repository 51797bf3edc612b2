package io.herald.e2e;

import com.pusher.client.Pusher;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import io.herald.core.testing.OfficialClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A subscriber using Pusher's official Java client, recording what it receives per channel. */
final class Subscriber implements AutoCloseable {

    final OfficialClient client;
    final Pusher pusher;
    final String socketId;
    final Map<String, List<String>> received = new ConcurrentHashMap<>();
    final BlockingQueue<PusherEvent> all = new LinkedBlockingQueue<>();

    Subscriber(int port) throws Exception {
        client = OfficialClient.connect(Cluster.KEY, port);
        pusher = client.pusher;
        socketId = client.socketId;
    }

    /** Subscribes and waits for {@code pusher_internal:subscription_succeeded}. */
    void subscribe(List<String> channels, String... events) throws InterruptedException {
        CountDownLatch subscribed = new CountDownLatch(channels.size());
        for (String channel : channels) {
            received.put(channel, new CopyOnWriteArrayList<>());
            pusher.subscribe(channel, new ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    subscribed.countDown();
                }

                @Override
                public void onEvent(PusherEvent event) {
                    received.get(event.getChannelName()).add(event.getEventName() + ":" + event.getData());
                    all.add(event);
                }
            }, events);
        }
        if (!subscribed.await(15, TimeUnit.SECONDS)) {
            throw new AssertionError("subscriptions not confirmed: " + subscribed.getCount() + " left");
        }
    }

    List<String> of(String channel) {
        return received.get(channel);
    }

    @Override
    public void close() {
        client.close();
    }
}
