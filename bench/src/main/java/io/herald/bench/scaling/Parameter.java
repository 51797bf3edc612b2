package io.herald.bench.scaling;

/**
 * The inputs of the scaling model, each with its unit, today's value, issue 10's target value and
 * where the value comes from.
 *
 * <p>The model and the simulation read nothing else, so refreshing the sizing after a new
 * measurement means changing a value here (or passing {@code --today.<name>=<value>} to
 * {@link ScalingReport}) and re-running the report. Values marked "assumption" are not measured;
 * docs/scaling.md says what each of them would change.
 */
public enum Parameter {

    EDGE_CPU_PER_DELIVERY_US("edge-cpu-per-delivery-us", "µs of one core", 5.0, 3.0,
            "docs/benchmarks.md, quiet side by side after stop 15: S1 Herald on Redis 5.00 µs (in memory "
                    + "4.73; nchan 5.08), stop 17 in memory 4.95; on loopback, about 1.5 µs of it is the "
                    + "subscriber socket's receive path, which a real network moves off the edge. Target: issue 10"),
    EDGE_CPU_PER_BROKER_MESSAGE_US("edge-cpu-per-broker-message-us", "µs of one core", 5.0, 3.0,
            "assumption: decoding an envelope from Redis and handing it to a fan-out lane costs "
                    + "about one delivery; not measured on its own"),
    EDGE_CPU_PER_CONNECT_US("edge-cpu-per-connect-us", "µs of one core", 160.0, 160.0,
            "docs/benchmarks.md stop 17 (cold): server CPU per connect + subscribe in a burst of "
                    + "19,500 to one channel right after a fresh start, 151-161 µs (bench/SubscribeBurst.java). "
                    + "Target: the same (issue 10's 1,000/s at p50 <= 5 ms needs at most ~700 µs)"),
    MEMORY_PER_CONNECTION_KIB("memory-per-connection-kib", "KiB RSS", 3.2, 3.2,
            "docs/benchmarks.md stop 17 (mem): bench/idle-memory.sh, 19,000 idle connections, README's "
                    + "recommended settings (JDK 25, -Xmx1g -Xmn32m, SerialGC, compact headers), median 3.19 KiB "
                    + "(JDK 17 SerialGC -Xmn32m 3.39). Target: issue 10's <= 4, met"),
    KERNEL_MEMORY_PER_CONNECTION_KIB("kernel-memory-per-connection-kib", "KiB", 3.0, 3.0,
            "assumption: the kernel's socket, file and epoll structures of an idle TCP connection, "
                    + "which the RSS figure does not contain"),
    MAX_CONNECTIONS_PER_NODE("max-connections-per-node", "connections", 100_000.0, 100_000.0,
            "choice: the failure domain; a node lost sends this many reconnections to the others"),
    EDGE_BASE_MEMORY_MIB("edge-base-memory-mib", "MiB RSS", 1_536.0, 1_536.0,
            "assumption: the JVM with -Xmx1g before any connection (heap, metaspace, code cache, "
                    + "threads)"),
    PUBLISH_CPU_PER_MESSAGE_US("publish-cpu-per-message-us", "µs of one core", 81.0, 80.0,
            "docs/benchmarks.md stop 17 (redis): S3 through Redis, Herald's CPU per publish without "
                    + "redis-server's, median of 6 runs 80.7 µs (87.5 with it; in memory ~58). Target: issue 10"),
    REDIS_US_PER_PUBLISH("redis-us-per-publish", "µs of the shard's core", 0.89, 0.89,
            "measured: bench/redis-shard-capacity.sh, redis-server's CPU per PUBLISH of 256 bytes to "
                    + "a channel nobody subscribes, 8 clients x pipeline 16, median of 3 (0.71–1.01; "
                    + "6.3 µs one command at a time); docs/benchmarks.md, Issue 10: Redis shard capacity"),
    REDIS_US_PER_SUBSCRIBER_NODE("redis-us-per-subscriber-node", "µs of the shard's core", 0.23, 0.23,
            "measured: the same, (CPU per publish at 64 subscribing connections - at 0) / 64, "
                    + "medians (0.14–0.29 over the runs); each edge node is one connection"),
    REDIS_US_PER_STATE_JOIN("redis-us-per-state-join", "µs of the shard's core", 33.0, 33.0,
            "docs/architecture.md (issue 8): the channel-state JOIN script runs about 30,000/s "
                    + "on one shard (23,000/s for presence); one per subscription"),
    CORES_PER_NODE("cores-per-node", "cores", 8.0, 8.0,
            "assumption: the node size (edge and publish nodes alike); figures measured on one "
                    + "pinned core are assumed to scale linearly with cores"),
    MEMORY_PER_NODE_GIB("memory-per-node-gib", "GiB", 16.0, 16.0, "assumption: the node size"),
    NIC_GBIT_PER_NODE("nic-gbit-per-node", "Gbit/s", 10.0, 10.0,
            "assumption: the node's network interface, each direction"),
    REDIS_NIC_GBIT_PER_SHARD("redis-nic-gbit-per-shard", "Gbit/s", 10.0, 10.0,
            "assumption: one shard per host (or per NIC); divide by the shards that share one"),
    LANE_SHARE_OF_DELIVERY("lane-share-of-delivery", "fraction", 1.0, 1.0,
            "assumption, a bound: the part of a delivery's CPU spent on the channel's one fan-out "
                    + "lane (core.broker.FanoutLanes) rather than the connections' event loops; 1 = all"),
    MESSAGE_BYTES("message-bytes", "bytes", 200.0, 200.0,
            "assumption: one small Pusher event frame (the write-ups' typical message)"),
    WIRE_OVERHEAD_BYTES("wire-overhead-bytes", "bytes per delivery", 70.0, 70.0,
            "assumption: WebSocket header (2–4) + TCP/IP (40–52) + Ethernet (18), one frame per "
                    + "segment: the worst case; batched writes share the segment overhead"),
    ENVELOPE_OVERHEAD_BYTES("envelope-overhead-bytes", "bytes per Redis message", 120.0, 120.0,
            "assumption: the RESP pub/sub message around a frame (channel name, message id, "
                    + "excluded socket) and its TCP/IP share"),
    SUBSCRIPTIONS_PER_CONNECTION("subscriptions-per-connection", "channels", 2.0, 2.0,
            "assumption: channels a typical connection subscribes (each is one state join)"),
    TARGET_UTILISATION("target-utilisation", "fraction of capacity", 0.6, 0.6,
            "choice: run every node and shard at <= 60 % so one node's loss, a burst or a "
                    + "reconnect storm fits in the rest");

    private final String key;
    private final String unit;
    private final double today;
    private final double target;
    private final String source;

    Parameter(String key, String unit, double today, double target, String source) {
        this.key = key;
        this.unit = unit;
        this.today = today;
        this.target = target;
        this.source = source;
    }

    /** The kebab-case name used on the command line and in docs/scaling.md. */
    public String key() {
        return key;
    }

    public String unit() {
        return unit;
    }

    /** Today's value, as measured (or assumed) and recorded in {@link #source()}. */
    public double today() {
        return today;
    }

    /** The value when issue 10's targets are met (equal to today's where it sets none). */
    public double target() {
        return target;
    }

    public String source() {
        return source;
    }

    /** The parameter with the given {@link #key()}. */
    public static Parameter byKey(String key) {
        for (Parameter p : values()) {
            if (p.key.equals(key)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no parameter " + key);
    }
}
