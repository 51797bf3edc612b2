package io.herald.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.pusher.client.Pusher;
import com.pusher.client.PusherOptions;
import com.pusher.client.connection.ConnectionEventListener;
import com.pusher.client.connection.ConnectionState;
import com.pusher.client.connection.ConnectionStateChange;
import com.pusher.client.channel.PresenceChannelEventListener;
import com.pusher.client.channel.PusherEvent;
import com.pusher.client.channel.User;
import com.pusher.rest.data.PresenceUser;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.testing.PresenceRecorder;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import io.herald.edge.EdgeServiceApplication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway leaving (its context closed, as on SIGTERM): its readiness refuses traffic at once, and
 * every WebSocket it proxies is closed with Pusher's 4200 (reconnect), which reaches the edge as
 * the client's close code; the edge then keeps the presence of those clients for its handover, so
 * that a user who reconnects through another gateway is neither removed nor added. Official
 * pusher-java-client clients through the gateway to a real edge.
 */
class GatewayDrainTest {

    static final String KEY = "gw-drain-key";
    static final String SECRET = "gw-drain-secret";
    static final String ROOM = "presence-room";

    RedisServer redis;
    ConfigurableApplicationContext edge;
    ConfigurableApplicationContext gateway;
    final List<Pusher> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        redis = RedisServer.start();
        Map<String, Object> edgeProperties = new HashMap<>();
        edgeProperties.put("server.port", 0);
        edgeProperties.put("herald.apps[0].id", "gw-drain");
        edgeProperties.put("herald.apps[0].key", KEY);
        edgeProperties.put("herald.apps[0].secret", SECRET);
        edgeProperties.put("herald.edge.drain-handover", "20s");
        edgeProperties.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        edgeProperties.put("herald.redis.shards[0]", redis.uri().toString());
        edge = new SpringApplicationBuilder(EdgeServiceApplication.class).properties(EdgeServiceApplication.DEFAULTS)
                .properties(edgeProperties).initializers(ServerTesting::ownEventLoops).run();
        gateway = startGateway();
    }

    ConfigurableApplicationContext startGateway() {
        Map<String, Object> gatewayProperties = new HashMap<>();
        gatewayProperties.put("server.port", 0);
        gatewayProperties.put("herald.gateway.edges[0]", "http://127.0.0.1:" + ServerTesting.port(edge));
        gatewayProperties.put("herald.gateway.drain-period", "1s");
        gatewayProperties.put("herald.gateway.drain-timeout", "20s");
        gatewayProperties.put("spring.cloud.loadbalancer.health-check.interval", "200ms");
        return GatewayApplication.builder().properties(gatewayProperties).initializers(ServerTesting::ownEventLoops)
                .run();
    }

    ConfigurableApplicationContext otherGateway;
    Balancer balancer;

    @AfterEach
    void stop() throws IOException {
        clients.forEach(Pusher::disconnect);
        if (balancer != null) {
            balancer.close();
        }
        for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { gateway, otherGateway,
                edge }) {
            if (context != null) {
                context.close();
            }
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everyProxiedWebSocketIsToldToReconnectAndTheEdgeSeesThe4200() throws Exception {
        int port = ServerTesting.port(gateway);
        List<CompletableFuture<Void>> reconnecting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reconnecting.add(toldToReconnect(presenceClient("user-" + i, port)));
        }
        MeterRegistry edgeMeters = edge.getBean(MeterRegistry.class);
        ApplicationAvailability availability = gateway.getBean(ApplicationAvailability.class);

        gateway.close();

        assertThat(availability.getReadinessState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC);
        for (CompletableFuture<Void> told : reconnecting) {
            told.get(30, TimeUnit.SECONDS);
        }
        // The client answered the gateway's 4200 with its own, which the gateway passed on to the edge.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Counter closed = edgeMeters.find(HeraldMeters.CONNECTIONS_CLOSED.meterName()).tag("code", "4200").counter();
            assertThat(closed).as("connections the edge saw closed with 4200").isNotNull();
            assertThat(closed.count()).isEqualTo(4);
        });
    }

    @Test
    void presenceUsersWhoMoveToAnotherGatewayAreNeitherRemovedNorAdded() throws Exception {
        otherGateway = startGateway();
        balancer = new Balancer(ServerTesting.port(gateway));
        // The watcher is connected to the edge directly: it stays while the gateway leaves.
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Pusher watcher = presenceClient("watcher", ServerTesting.port(edge));
        PresenceRecorder watching = new PresenceRecorder(seen, new LinkedBlockingQueue<>());
        watcher.subscribePresence(ROOM, watching);
        watching.members.get(30, TimeUnit.SECONDS);
        List<String> movers = List.of("u1", "u2", "u3");
        Map<String, AtomicInteger> joins = new HashMap<>();
        for (String user : movers) {
            joins.put(user, join(presenceClient(user, balancer.port())));
        }
        // One user does not come back: it quits when told to reconnect.
        Pusher leaver = presenceClient("quitter", balancer.port());
        toldToReconnect(leaver).thenRun(leaver::disconnect);
        join(leaver);
        List<String> arrivals = new ArrayList<>();
        for (int i = 0; i < movers.size() + 1; i++) {
            arrivals.add(next(seen));
        }
        assertThat(arrivals).containsExactlyInAnyOrder("+u1", "+u2", "+u3", "+quitter");

        balancer.target = ServerTesting.port(otherGateway);
        gateway.close();

        // Every mover subscribed again, through the other gateway.
        await().atMost(Duration.ofSeconds(60)).until(() -> joins.values().stream().allMatch(n -> n.get() >= 2));
        // The quitter is removed once the edge's handover is over; nobody else left or arrived meanwhile.
        assertThat(next(seen)).as("what the watcher saw after the gateway left").isEqualTo("-quitter");
        assertThat(seen).as("changes the watcher saw after the quitter's removal").isEmpty();
    }

    /** Completes when the client turns to reconnecting. */
    private static CompletableFuture<Void> toldToReconnect(Pusher client) {
        CompletableFuture<Void> reconnecting = new CompletableFuture<>();
        client.getConnection().bind(ConnectionState.RECONNECTING, new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                reconnecting.complete(null);
            }

            @Override
            public void onError(String message, String code, Exception e) {
            }
        });
        return reconnecting;
    }

    /** Subscribes to the room; counts its subscriptions (the client subscribes again after each reconnect). */
    private static AtomicInteger join(Pusher client) throws Exception {
        AtomicInteger joins = new AtomicInteger();
        CompletableFuture<Void> first = new CompletableFuture<>();
        client.subscribePresence(ROOM, new PresenceChannelEventListener() {
            @Override
            public void onUsersInformationReceived(String channelName, Set<User> users) {
                joins.incrementAndGet();
                first.complete(null);
            }

            @Override
            public void userSubscribed(String channelName, User user) {
            }

            @Override
            public void userUnsubscribed(String channelName, User user) {
            }

            @Override
            public void onAuthenticationFailure(String message, Exception e) {
                first.completeExceptionally(new AssertionError(message, e));
            }

            @Override
            public void onSubscriptionSucceeded(String channelName) {
            }

            @Override
            public void onEvent(PusherEvent event) {
            }
        });
        first.get(30, TimeUnit.SECONDS);
        return joins;
    }

    /** A connected pusher-java-client whose presence authorization names {@code user}. */
    private Pusher presenceClient(String user, int port) throws Exception {
        com.pusher.rest.Pusher signer = new com.pusher.rest.Pusher("gw-drain", KEY, SECRET);
        Pusher client = new Pusher(KEY, new PusherOptions().setHost("127.0.0.1").setWsPort(port).setUseTLS(false)
                .setChannelAuthorizer((channel, socketId) -> signer.authenticate(socketId, channel,
                        new PresenceUser(user))));
        clients.add(client);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        client.connect(new ConnectionEventListener() {
            @Override
            public void onConnectionStateChange(ConnectionStateChange change) {
                if (change.getCurrentState() == ConnectionState.CONNECTED) {
                    connected.complete(null);
                }
            }

            @Override
            public void onError(String message, String code, Exception e) {
            }
        }, ConnectionState.ALL);
        connected.get(30, TimeUnit.SECONDS);
        return client;
    }

    private static String next(BlockingQueue<String> queue) throws InterruptedException {
        String item = queue.poll(60, TimeUnit.SECONDS);
        assertThat(item).as("a presence change within 60 s").isNotNull();
        return item;
    }

    /**
     * A TCP balancer in front of the gateways (an ingress): each new connection goes to the gateway
     * {@link #target} names at that moment.
     */
    static final class Balancer implements AutoCloseable {

        private final ServerSocket server;
        volatile int target;

        Balancer(int target) throws IOException {
            this.target = target;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(this::accept, "balancer");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    try {
                        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target));
                    }
                    catch (IOException ex) {
                        client.close();
                        continue;
                    }
                    pipe(client, upstream);
                    pipe(upstream, client);
                }
                catch (IOException ex) {
                    // closed
                }
            }
        }

        private static void pipe(Socket from, Socket to) {
            Thread pump = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                }
                catch (IOException ex) {
                    // one side went away
                }
                finally {
                    try {
                        from.close();
                        to.close();
                    }
                    catch (IOException ex) {
                        // closing
                    }
                }
            }, "balancer-pipe");
            pump.setDaemon(true);
            pump.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
