package io.herald.core.metrics;

/**
 * Every Micrometer meter Herald registers, in one place so that services name and tag them
 * alike. Names use base units; Prometheus adds {@code _total} to counters and {@code _seconds}
 * to timers. Channel names are never tags; {@code app_id} is, behind a cardinality limit
 * ({@link #MAX_APP_ID_TAGS}).
 */
public enum HeraldMeters {

    /** Gauge: open WebSocket connections on this edge node. Tag {@code app_id}. */
    CONNECTIONS("herald.connections"),
    /**
     * Counter: WebSocket connections of an edge node that ended, each once: refused at the
     * handshake, closed by the server or by the client. Tags {@code code} (the close code:
     * every Pusher error code and the WebSocket codes 1000–1011 Herald names, else
     * {@code other}) and {@code reason} (its name, e.g. {@code over_capacity},
     * {@code message_too_big}); see {@code io.herald.edge.ConnectionCloses}.
     */
    CONNECTIONS_CLOSED("herald.connections.closed"),
    /** Gauge: channels this edge node is subscribed to on the broker (one per channel, not per client). */
    CHANNELS_SUBSCRIBED("herald.channels.subscribed"),
    /**
     * Counter: subscribes an edge refused because of the channel state, tag {@code reason}:
     * {@code busy} (this node's bound on channel-state commands in flight), {@code timeout} (the
     * shard did not answer in time), {@code shard_busy} (it answered {@code BUSY}), {@code unavailable}
     * (the shard is unreachable, loading or read-only), {@code error}.
     */
    SUBSCRIPTIONS_REFUSED("herald.subscriptions.refused"),
    /**
     * Counter: channel-state undos (leaves of a subscription or online record whose outcome was
     * unknown, or whose leave failed) that failed and were queued to be retried.
     */
    STATE_REPAIRS_QUEUED("herald.state.repairs.queued"),
    /** Gauge: channel-state undos waiting to be retried on this edge node. */
    STATE_REPAIRS_PENDING("herald.state.repairs.pending"),
    /** Counter: channel messages accepted by the HTTP API, one per channel. Tag {@code app_id}. */
    MESSAGES_PUBLISHED("herald.messages.published"),
    /** Counter: channel messages written to client sockets. Tag {@code app_id}. */
    MESSAGES_DELIVERED("herald.messages.delivered"),
    /**
     * Counter: messages dropped for a client whose outbound queue was full: the one that did not
     * fit and those still queued, which the close (4100) discards. Tag {@code app_id}.
     */
    MESSAGES_DROPPED("herald.messages.dropped"),
    /**
     * Timer: time to validate and hand one HTTP API publish request to the broker. Tag {@code app_id};
     * with the cumulative buckets of {@link #PUBLISH_LATENCY_BUCKETS} (for {@code histogram_quantile}).
     */
    PUBLISH_LATENCY("herald.publish.latency"),
    /** Counter: HTTP API requests answered with an error, tag {@code status}. */
    PUBLISH_ERRORS("herald.publish.errors"),
    /**
     * Counter: HTTP API requests refused by a quota, tags {@code app_id} and {@code quota}:
     * {@code publish} (messages per second, 429), {@code api} (requests per second, 429; on the
     * gateway when it enforces it), {@code daily} (messages per day, 403).
     */
    RATELIMIT_REFUSED("herald.ratelimit.refused"),
    /** Gauge: 1 while this node enforces its local share of quotas because the shared limiter cannot be reached. */
    RATELIMIT_DEGRADED("herald.ratelimit.degraded"),
    /** Counter: leases this node granted from its local share of a quota (the shared limiter unreachable). */
    RATELIMIT_FALLBACK_DECISIONS("herald.ratelimit.fallback.decisions"),
    /** Gauge: 1 when a Redis shard is reachable, else 0. Tag {@code shard} (its index). */
    REDIS_SHARD_UP("herald.redis.shard.up"),
    /** Gauge: broker messages handed to the local fan-out and not delivered yet (all lanes). */
    FANOUT_QUEUED("herald.fanout.queued"),
    /**
     * Counter: broker messages the local fan-out refused because their lane was full: publishes
     * answered 503 (in-memory broker) or messages from Redis dropped on this node.
     */
    FANOUT_REJECTED("herald.fanout.rejected"),
    /**
     * Gauge: apps this node serves from their last known view because the app store (auth-service,
     * or the state Redis) cannot be reached; 0 when it answers. See {@code herald.auth.max-staleness}.
     */
    APPS_STALE("herald.apps.stale"),
    /** Gauge, seconds: how long ago the oldest app served from its last known view was fetched; 0 when none is. */
    APPS_STALE_AGE("herald.apps.stale.age"),
    /** Counter: webhook events delivered to an endpoint (its batch got a 2XX). Tag {@code app_id}. */
    WEBHOOKS_DELIVERED("herald.webhooks.delivered"),
    /** Gauge: usage deltas this node could not send to the usage stream yet (kept and resent). */
    USAGE_DELTAS_PENDING("herald.usage.deltas.pending"),
    /** Counter: usage deltas this node dropped because too many waited for the usage stream. */
    USAGE_DELTAS_DROPPED("herald.usage.deltas.dropped"),
    /** Counter: debug console events not delivered, tag {@code where}: {@code emitter} (over the node's bound of publishes in flight to the state Redis, or that Redis down). */
    DEBUG_EVENTS_DROPPED("herald.debug.events.dropped"),
    /** Counter: usage deltas metrics-service read, tag {@code outcome}: {@code applied} or {@code duplicate} (applied before). */
    USAGE_DELTAS_APPLIED("herald.usage.deltas.applied"),
    /** Counter: webhook events given up after the retry period (or dropped undeliverable). Tag {@code app_id}. */
    WEBHOOKS_FAILED("herald.webhooks.failed"),
    /**
     * Counter: webhook events this node raised but never queued: its outage buffer was full while
     * the state Redis was unreachable, it was still unreachable at shutdown, or Redis refused them.
     */
    WEBHOOKS_BUFFER_DROPPED("herald.webhooks.buffer.dropped"),
    /** Gauge: webhook events buffered on this node while the state Redis is unreachable. */
    WEBHOOKS_BUFFER_SIZE("herald.webhooks.buffer.size");

    /** The buckets of {@link #PUBLISH_LATENCY}: few, as it is per app. */
    public static final java.time.Duration[] PUBLISH_LATENCY_BUCKETS = {
        java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(5), java.time.Duration.ofMillis(10),
        java.time.Duration.ofMillis(25), java.time.Duration.ofMillis(50), java.time.Duration.ofMillis(100),
        java.time.Duration.ofMillis(250), java.time.Duration.ofSeconds(1) };

    /** Beyond this many distinct {@code app_id} values, new ones are no longer registered as meters. */
    public static final int MAX_APP_ID_TAGS = 1000;

    public static final String APP_ID = "app_id";

    private final String meterName;

    HeraldMeters(String meterName) {
        this.meterName = meterName;
    }

    public String meterName() {
        return meterName;
    }
}
