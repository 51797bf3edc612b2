package io.herald.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.PusherOptions;
import com.pusher.client.channel.ChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.client.util.HttpChannelAuthorizer;
import com.pusher.rest.Pusher;
import io.herald.core.testing.PresenceRecorder;
import io.herald.edge.ConnectionRegistry;
import io.herald.edge.EdgeConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import io.herald.core.metrics.HeraldMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 11 item 5: one of two edges drains (its context closed, as SIGTERM does) while a
 * publisher sends numbered events at a steady rate. Every subscriber, connected through a
 * readiness-following load balancer ({@link ReadyEdges}: as a Kubernetes Service, and as the
 * gateway with its 5 s health checks, during which the draining edge bounces the connections it
 * still gets), ends up on the
 * other edge with its subscriptions (it receives new events again) and its presence membership (a
 * watcher sees no {@code member_removed} nor {@code member_added} for a user who moved, and a
 * newcomer's member list is complete); a user who did not come back is removed. The messages each
 * subscriber missed during the move are counted and reported, not asserted (they depend on the
 * client's reconnect delay and the machine's load).
 */
class EdgeDrainTest {

    private static final Logger log = LoggerFactory.getLogger(EdgeDrainTest.class);

    static final int SUBSCRIBERS = 30;
    static final String FEED = "feed";
    static final String ROOM = "presence-room";
    static final long PUBLISH_PERIOD_MILLIS = 50; // 20 events per second

    /**
     * @param healthInterval how often the balancer checks the edges' readiness: 0 = at each new
     *        connection (a Kubernetes Service after the preStop sleep), 5 s = the gateway's load
     *        balancer, which keeps sending connections to the draining edge for up to that long
     */
    @ParameterizedTest(name = "health checked every {0} s")
    @ValueSource(ints = { 0, 5 })
    void everySubscriberMovesToTheOtherEdgeWithItsSubscriptionsAndPresence(int healthInterval) throws Exception {
        Map<String, Object> edgeProperties = Map.of("herald.edge.drain-period", "2s",
                "herald.edge.drain-timeout", "10s",
                // Generous for a loaded machine: a reconnect slower than the handover would be seen as a leave.
                "herald.edge.drain-handover", "10s");
        try (Cluster cluster = new Cluster(2, 2, 1, edgeProperties);
                TenantServer tenant = new TenantServer(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET)) {
            ConfigurableApplicationContext leaving = cluster.edges.get(0);
            ConfigurableApplicationContext staying = cluster.edges.get(1);
            int leavingPort = Cluster.port(leaving);
            int stayingPort = Cluster.port(staying);
            Pusher publisher = new Pusher(Cluster.APP_ID, Cluster.KEY, Cluster.SECRET);
            publisher.setHost("127.0.0.1:" + Cluster.port(cluster.publishers.get(0)));
            publisher.setEncrypted(false);
            List<Client> clients = new ArrayList<>();
            ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
            MeterRegistry leavingMeters = leaving.getBean(MeterRegistry.class);
            try (ReadyEdges balancer = new ReadyEdges(List.of(leavingPort, stayingPort),
                    Duration.ofSeconds(healthInterval))) {
                // The watcher stays on the edge that stays and records the room's arrivals and departures.
                Client watcher = new Client("watcher", stayingPort, tenant);
                clients.add(watcher);
                watcher.join();
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    Client client = new Client("u" + i, balancer.port(), tenant);
                    clients.add(client);
                    client.join();
                }
                // A user on the leaving edge who will not come back: it disconnects when told to reconnect.
                Client gone = new Client("gone", leavingPort, tenant);
                gone.leaveWhenToldToReconnect = true;
                gone.join();
                List<Client> subscribers = List.copyOf(clients.subList(1, 1 + SUBSCRIBERS));
                long onLeaving = subscribers.stream().filter(c -> on(leaving, c)).count();
                assertThat(onLeaving).as("subscribers on the leaving edge").isBetween(1L, (long) SUBSCRIBERS - 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> watcher.changes.size() >= SUBSCRIBERS + 1);

                AtomicInteger published = new AtomicInteger();
                ticks.scheduleAtFixedRate(() -> {
                    int n = published.get();
                    try {
                        publisher.trigger(FEED, "tick", Map.of("n", n));
                        published.incrementAndGet();
                    }
                    catch (RuntimeException ex) {
                        log.warn("publish {} failed: {}", n, ex.toString());
                    }
                }, 0, PUBLISH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
                // Steady state: every subscriber receives.
                await().atMost(Duration.ofSeconds(30)).until(() -> subscribers.stream().allMatch(c -> !c.ticks.isEmpty()));
                int first = published.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> subscribers.stream().allMatch(c -> c.ticks.contains(first)));
                watcher.changes.clear();

                CompletableFuture<Void> drained = CompletableFuture.runAsync(leaving::close);
                drained.get(60, TimeUnit.SECONDS);
                int afterDrain = published.get();
                // Everyone is on the other edge and receives again on the public channel.
                await().atMost(Duration.ofSeconds(60)).until(() -> subscribers.stream().allMatch(c -> on(staying, c)));
                await().atMost(Duration.ofSeconds(30)).until(
                        () -> subscribers.stream().allMatch(c -> c.ticks.stream().anyMatch(n -> n > afterDrain)));
                int last = published.get() + 20;
                await().atMost(Duration.ofSeconds(30)).until(() -> published.get() > last);
                ticks.shutdownNow();
                ticks.awaitTermination(10, TimeUnit.SECONDS);
                int end = published.get() - 1;
                await().atMost(Duration.ofSeconds(30)).until(() -> subscribers.stream().allMatch(c -> c.ticks.contains(end)));

                // Presence: the user who did not come back is removed; nobody who moved was removed or added.
                await().atMost(Duration.ofSeconds(60)).until(() -> watcher.changes.contains("-gone"));
                Set<String> movers = subscribers.stream().map(c -> c.name).collect(Collectors.toSet());
                assertThat(watcher.changes).as("the watcher's arrivals and departures since the drain began")
                        .noneMatch(change -> movers.contains(change.substring(1)));
                Client newcomer = new Client("newcomer", balancer.port(), tenant);
                clients.add(newcomer);
                Set<String> members = newcomer.join();
                Set<String> expected = new java.util.HashSet<>(movers);
                expected.add("watcher");
                expected.add("newcomer");
                assertThat(members).as("the room's members as a newcomer sees them").isEqualTo(expected);

                // The figure: events published from the first one every subscriber had to the last, missed per subscriber.
                List<Integer> missed = new ArrayList<>();
                List<Integer> missedMovers = new ArrayList<>();
                for (Client c : subscribers) {
                    int count = 0;
                    for (int n = first; n <= end; n++) {
                        if (!c.ticks.contains(n)) {
                            count++;
                        }
                    }
                    missed.add(count);
                    if (c.moved) {
                        missedMovers.add(count);
                    }
                }
                List<Integer> sortedMovers = missedMovers.stream().sorted().toList();
                Counter told = leavingMeters.find(HeraldMeters.CONNECTIONS_CLOSED.meterName()).tag("code", "4200").counter();
                long bounced = (told == null ? 0 : (long) told.count()) - onLeaving - 1;
                log.info("Drain figure (health checked every {} s): {} subscribers ({} moved from the drained edge, "
                        + "{} new connections bounced by it), events {}..{} at {}/s; "
                        + "missed by those who moved: median {}, max {}, total {}; by those who stayed: total {}",
                        healthInterval, SUBSCRIBERS, missedMovers.size(), bounced, first, end, 1000 / PUBLISH_PERIOD_MILLIS,
                        sortedMovers.isEmpty() ? 0 : sortedMovers.get(sortedMovers.size() / 2),
                        sortedMovers.isEmpty() ? 0 : sortedMovers.get(sortedMovers.size() - 1),
                        missedMovers.stream().mapToInt(Integer::intValue).sum(),
                        missed.stream().mapToInt(Integer::intValue).sum()
                                - missedMovers.stream().mapToInt(Integer::intValue).sum());
                assertThat(missedMovers).as("subscribers that moved").hasSize((int) onLeaving);
            }
            finally {
                ticks.shutdownNow();
                clients.forEach(Client::close);
                publisher.close();
                // Gone before the cluster closes, so that its drain has no handover to wait for.
                await().atMost(Duration.ofSeconds(30)).until(
                        () -> staying.getBean(ConnectionRegistry.class).size() == 0);
            }
        }
    }

    /** Whether the client's current connection is one of that edge's. */
    private static boolean on(ConfigurableApplicationContext edge, Client client) {
        String socketId = client.pusher.getConnection().getSocketId();
        return edge.isActive() && socketId != null && client.pusher.getConnection().getState() == ConnectionState.CONNECTED
                && edge.getBean(ConnectionRegistry.class).connections().stream().map(EdgeConnection::socketId)
                        .anyMatch(socketId::equals);
    }

    /** One user on pusher-java-client, subscribed to the public feed and the presence room. */
    static final class Client implements AutoCloseable {

        final String name;
        final com.pusher.client.Pusher pusher;
        final Set<Integer> ticks = ConcurrentHashMap.newKeySet();
        /** Arrivals and departures in the room, as {@code +id} / {@code -id}. */
        final BlockingQueue<String> changes = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        volatile boolean leaveWhenToldToReconnect;
        /** It reconnected at least once. */
        volatile boolean moved;

        Client(String name, int port, TenantServer tenant) throws Exception {
            this.name = name;
            pusher = new com.pusher.client.Pusher(Cluster.KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(port)
                    .setUseTLS(false).setChannelAuthorizer(new HttpChannelAuthorizer(tenant.url("/pusher/auth?user=" + name))));
            pusher.connect(new ConnectionEventListener() {
                @Override
                public void onConnectionStateChange(ConnectionStateChange change) {
                    if (change.getCurrentState() == ConnectionState.CONNECTED) {
                        connected.complete(null);
                    }
                    if (change.getCurrentState() == ConnectionState.RECONNECTING) {
                        moved = true;
                        if (leaveWhenToldToReconnect) {
                            pusher.disconnect();
                        }
                    }
                }

                @Override
                public void onError(String message, String code, Exception e) {
                }
            }, ConnectionState.ALL);
            connected.get(30, TimeUnit.SECONDS);
        }

        /** Subscribes to the feed and joins the room; the room's members on joining. */
        Set<String> join() throws Exception {
            CompletableFuture<Void> feed = new CompletableFuture<>();
            pusher.subscribe(FEED, new ChannelEventListener() {
                @Override
                public void onSubscriptionSucceeded(String channelName) {
                    feed.complete(null);
                }

                @Override
                public void onEvent(PusherEvent event) {
                    String data = event.getData();
                    ticks.add(Integer.parseInt(data.replaceAll("[^0-9]", "")));
                }
            }, "tick");
            PresenceRecorder recorder = new PresenceRecorder(changes, new LinkedBlockingQueue<>());
            pusher.subscribePresence(ROOM, recorder);
            feed.get(30, TimeUnit.SECONDS);
            return recorder.members.get(30, TimeUnit.SECONDS).stream().map(User::getId).collect(Collectors.toSet());
        }

        @Override
        public void close() {
            pusher.disconnect();
        }
    }
}
