package io.herald.edge;

import io.herald.core.error.PusherError;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.usage.UsageSink;
import io.herald.edge.config.EdgeProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * The open connections of this edge node: counted per app, swept for inactivity, and told to
 * reconnect elsewhere when the node shuts down.
 *
 * <p>Apps that require authorized connections ({@code user-authentication}): a connection that
 * has neither signed in nor subscribed to a private or presence channel within
 * {@code user-authentication-timeout} is closed with 4009, as Pusher's "authorized connections" do.
 *
 * <p>Inactivity: a connection silent for {@code activity-timeout} gets {@code pusher:ping};
 * one still silent {@code pong-timeout} later is closed with 4201. One sweep per
 * {@link #SWEEP_PERIOD} covers every connection, instead of a timer per connection.
 */
public final class ConnectionRegistry implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);

    /** How often connections are checked for inactivity; bounds how late a ping or a 4201 may be. */
    static final Duration SWEEP_PERIOD = Duration.ofSeconds(1);

    private final Map<String, EdgeConnection> connections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perApp = new ConcurrentHashMap<>();
    private final ConnectionCloses closes;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final LongSupplier nanoTime;
    private final long activityTimeoutNanos;
    private final long pongTimeoutNanos;
    private final long signinTimeoutNanos;
    private final Disposable sweeper;
    private final Scheduler scheduler;
    private final UsageSink usage;

    public ConnectionRegistry(EdgeProperties properties, MeterRegistry meters, LongSupplier nanoTime,
            Scheduler scheduler) {
        this(properties, meters, nanoTime, scheduler, UsageSink.NONE);
    }

    /** @param usage where connections opened and the peak of concurrent ones are counted per app */
    public ConnectionRegistry(EdgeProperties properties, MeterRegistry meters, LongSupplier nanoTime,
            Scheduler scheduler, UsageSink usage) {
        this.usage = java.util.Objects.requireNonNull(usage, "usage");
        this.meters = meters;
        this.closes = new ConnectionCloses(meters);
        this.nanoTime = nanoTime;
        this.activityTimeoutNanos = properties.activityTimeout().toNanos();
        this.pongTimeoutNanos = properties.pongTimeout().toNanos();
        this.signinTimeoutNanos = properties.userAuthenticationTimeout().toNanos();
        this.scheduler = scheduler;
        long period = SWEEP_PERIOD.toMillis();
        this.sweeper = scheduler.schedulePeriodically(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    long now() {
        return nanoTime.getAsLong();
    }

    void add(EdgeConnection connection) {
        connections.put(connection.socketId(), connection);
        perApp.computeIfAbsent(connection.appId(), appId -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder(HeraldMeters.CONNECTIONS.meterName(), count, AtomicInteger::get)
                    .description("Open WebSocket connections on this edge node")
                    .tag(HeraldMeters.APP_ID, appId)
                    .register(meters);
            return count;
        }).incrementAndGet();
        usage.connectionOpened(connection.appId());
    }

    void remove(EdgeConnection connection) {
        if (connections.remove(connection.socketId()) != null) {
            perApp.get(connection.appId()).decrementAndGet();
            usage.connectionClosed(connection.appId());
        }
    }

    /** Counts every connection of this node that ended, by close code (refusals included). */
    public ConnectionCloses closes() {
        return closes;
    }

    /**
     * The counter of messages dropped for the app's clients that did not read fast enough (their
     * outbound queue was full; each is closed with 4100). Tagged with the app id, which the
     * cardinality limit on {@code app_id} caps like every other Herald meter.
     */
    Counter droppedMessages(String appId) {
        return dropped.computeIfAbsent(appId, id -> Counter.builder(HeraldMeters.MESSAGES_DROPPED.meterName())
                .description("Messages dropped for clients whose outbound queue was full (they are closed with 4100)")
                .tag(HeraldMeters.APP_ID, id)
                .register(meters));
    }

    public int size() {
        return connections.size();
    }

    public Collection<EdgeConnection> connections() {
        return connections.values();
    }

    /** Pings silent connections and closes those that did not answer. Never blocks. */
    void sweep() {
        long now = now();
        for (EdgeConnection connection : connections.values()) {
            try {
                if (connection.app().features().userAuthentication() && !connection.isAuthorized()
                        && now - connection.openedNanos() > signinTimeoutNanos) {
                    connection.closeAfterFlush(PusherError.UNAUTHORIZED, PusherError.UNAUTHORIZED.message()
                            + ": this app requires pusher:signin or a private or presence subscription");
                    continue;
                }
                long pingSent = connection.pingSentNanos();
                if (pingSent != 0) {
                    if (now - pingSent > pongTimeoutNanos) {
                        log.debug("Closing {}: no pong within the pong timeout", connection);
                        connection.close(PusherError.PONG_NOT_RECEIVED, PusherError.PONG_NOT_RECEIVED.message());
                    }
                }
                else if (now - connection.lastActivityNanos() > activityTimeoutNanos) {
                    connection.pingSent(now);
                    connection.send(PusherCodec.ping());
                }
            }
            catch (RuntimeException ex) {
                log.warn("Activity check failed for {}", connection, ex);
            }
        }
    }

    /**
     * Tells every client to reconnect (4200), spread evenly over {@code period} so that they do
     * not all land on the other nodes at the same instant. Returns at once; the closes run on
     * the scheduler.
     */
    public void drain(Duration period) {
        List<EdgeConnection> open = List.copyOf(connections.values());
        if (open.isEmpty()) {
            return;
        }
        log.info("Draining {} connection(s) over {}: asking clients to reconnect (4200)", open.size(), period);
        long step = period.toNanos() / open.size();
        for (int i = 0; i < open.size(); i++) {
            EdgeConnection connection = open.get(i);
            scheduler.schedule(() -> connection.closeAfterFlush(PusherError.RECONNECT, "Server shutting down, reconnect"),
                    step * i, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        sweeper.dispose();
    }
}
