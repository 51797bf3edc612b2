import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Subscriptions to one channel as fast as a server takes them (issue 10: "20,000 subscriptions
 * to one channel on one node at >= 5,000/s"), with a client that costs little per connection.
 *
 * <p>Why not the load tool: its Reactor Netty client spends about 1 ms of CPU per connect +
 * subscribe (JFR and utime+stime of the tool), so on its one core it cannot open more than
 * ~1,000 connections/s whatever the server does. This one is a single thread on one NIO
 * selector: every connection sends the same pre-built upgrade request and the same pre-encoded
 * (zero-masked) {@code pusher:subscribe} frame, and only looks for
 * {@code pusher:connection_established} and {@code subscription_succeeded} in what it reads. It
 * keeps every connection open until all are subscribed (the channel then holds them all), then
 * closes them.
 *
 * <p>Run as a single-file program (JDK 17+): {@code java bench/SubscribeBurst.java --port 6001
 * --subscribers 19500 --concurrency 1000 --server-pid PID} ({@code bench/cold-start.sh} compiles
 * and runs it for its burst). It prints the subscriptions per second (from the first connect to
 * the last confirmation), the per-connection connect + subscribe p50/p99, and, with
 * {@code --server-pid}, the server's CPU (utime+stime) per subscription over the same window;
 * {@code --json FILE} writes the same figures. Connections are spread over {@code --addresses}
 * loopback addresses (default 4, see {@link #destinations}); a server that refuses the upgrade or
 * answers the subscribe with {@code pusher:error} stops the run.
 */
public final class SubscribeBurst {

    private static final String ESTABLISHED = "pusher:connection_established";
    private static final String SUCCEEDED = "pusher_internal:subscription_succeeded";

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 6001;
        String key = "demo-key";
        String channel = "bench";
        int subscribers = 19_500;
        int concurrency = 1000;
        int timeoutSeconds = 300;
        String pid = null;
        int chunk = 5000;
        int addresses = 4;
        int rate = 0;
        String json = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--host" -> host = value;
                case "--port" -> port = Integer.parseInt(value);
                case "--key" -> key = value;
                case "--channel" -> channel = value;
                case "--subscribers" -> subscribers = Integer.parseInt(value);
                case "--concurrency" -> concurrency = Integer.parseInt(value);
                case "--timeout" -> timeoutSeconds = Integer.parseInt(value);
                case "--server-pid" -> pid = value;
                case "--chunk" -> chunk = Integer.parseInt(value);
                case "--addresses" -> addresses = Integer.parseInt(value);
                case "--json" -> json = value;
                case "--rate" -> rate = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        byte[] upgrade = ("GET /app/" + key + "?protocol=7&client=herald-burst&version=1.0 HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] subscribe = maskedText("{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}");
        SubscribeBurst burst = new SubscribeBurst(destinations(host, port, addresses), upgrade, subscribe, subscribers,
                concurrency, timeoutSeconds, pid);
        burst.chunk = chunk;
        burst.json = json == null ? null : Path.of(json);
        burst.rate = rate;
        burst.run();
    }

    /**
     * Where the connections go: {@code host} itself, or, for a {@code 127.x.y.z} host and
     * {@code addresses > 1}, that many consecutive loopback addresses from it (the whole of
     * 127.0.0.0/8 is loopback on Linux, and a server bound to the wildcard address answers on each).
     *
     * <p>Why: the kernel chooses each connection's local port so that (source, destination) is
     * unique, scanning the ephemeral range (32768–60999 here) from an offset per destination and
     * preferring even ports. With every connection to one address and port, once ~14,000 of them
     * are open the even ports are gone and each {@code connect} scans thousands of ports in use
     * under a lock: measured, the client's system time went from 0.4 to 6.7 s while the rate fell
     * from ~5,000/s to ~800/s with the server 10–20 % busy. A few destinations give each its own ports.
     */
    static List<InetSocketAddress> destinations(String host, int port, int addresses) throws IOException {
        InetAddress first = InetAddress.getByName(host);
        byte[] ip = first.getAddress();
        if (addresses <= 1 || !first.isLoopbackAddress() || ip.length != 4) {
            return List.of(new InetSocketAddress(first, port));
        }
        List<InetSocketAddress> all = new ArrayList<>();
        for (int i = 0; i < addresses; i++) {
            byte[] next = ip.clone();
            next[3] = (byte) ((ip[3] & 0xff) + i);
            if ((ip[3] & 0xff) + i > 254) {
                throw new IllegalArgumentException("--addresses " + addresses + " runs past " + host + "'s last octet");
            }
            all.add(new InetSocketAddress(InetAddress.getByAddress(next), port));
        }
        return all;
    }

    /** A client text frame with mask key 0 (RFC 6455 requires the mask bit; a zero key leaves the payload as is). */
    static byte[] maskedText(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("payload too long for a one-byte length");
        }
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        return frame;
    }

    private final List<InetSocketAddress> addresses;
    private final byte[] upgrade;
    private final byte[] subscribe;
    private final int subscribers;
    private final int concurrency;
    private final int timeoutSeconds;
    private final String pid;
    private final long[] latencyMicros;
    /** Connect + subscribe time by the connection's start order. */
    private final long[] latencyByStart;
    private final List<SocketChannel> open = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
    private final byte[] readBytes = new byte[64 * 1024];
    private int started;
    private int chunk = 5000;
    private Path json;
    /** Connections started per second, 0 for as fast as {@link #concurrency} allows. */
    private int rate;
    /** Per started connection, the second of the run it was started in (with a rate). */
    private int[] startSecond;
    private long chunkNanos;
    private long chunkTicks;
    private int inFlight;
    private int done;

    private SubscribeBurst(List<InetSocketAddress> addresses, byte[] upgrade, byte[] subscribe, int subscribers,
            int concurrency, int timeoutSeconds, String pid) {
        this.addresses = addresses;
        this.upgrade = upgrade;
        this.subscribe = subscribe;
        this.subscribers = subscribers;
        this.concurrency = concurrency;
        this.timeoutSeconds = timeoutSeconds;
        this.pid = pid;
        this.latencyMicros = new long[subscribers];
        this.latencyByStart = new long[subscribers];
    }

    /** One connection's progress. */
    private static final class Conn {
        final long startNanos;
        final int index;
        /** What was read so far, as Latin-1, until the subscription is confirmed. */
        final StringBuilder seen = new StringBuilder(512);
        boolean subscribeSent;

        Conn(long startNanos, int index) {
            this.startNanos = startNanos;
            this.index = index;
        }
    }

    private void run() throws IOException {
        long cpu0 = serverTicks();
        long t0 = System.nanoTime();
        chunkNanos = t0;
        chunkTicks = cpu0;
        long deadline = t0 + timeoutSeconds * 1_000_000_000L;
        startSecond = new int[subscribers];
        try (Selector selector = Selector.open()) {
            while (done < subscribers) {
                // With a rate, only the connections due by now (a fixed schedule: a slow start is not made up
                // by a burst beyond the concurrency bound either).
                long due = rate <= 0 ? subscribers
                        : Math.min(subscribers, (System.nanoTime() - t0) * rate / 1_000_000_000L + 1);
                while (inFlight < concurrency && started < due) {
                    startSecond[started] = (int) ((System.nanoTime() - t0) / 1_000_000_000L);
                    start(selector);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + done + " of " + subscribers + " subscribed within "
                            + timeoutSeconds + " s");
                }
                selector.select(rate <= 0 ? 100 : 1);
                var keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    handle(k);
                }
            }
            long t1 = System.nanoTime();
            long cpu1 = serverTicks();
            double seconds = (t1 - t0) / 1e9;
            String bySecond = rate > 0 ? printBySecond() : "[]";
            Arrays.sort(latencyMicros);
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "subscribed %d to one channel in %.2f s: %.0f/s; connect+subscribe p50 %.2f ms, p99 %.2f ms",
                    done, seconds, done / seconds, latencyMicros[done / 2] / 1000.0,
                    latencyMicros[(int) Math.min(done - 1, done * 0.99)] / 1000.0));
            if (pid != null) {
                long ticks = cpu1 - cpu0;
                out.append(String.format(Locale.ROOT, "; server CPU %d ticks, %.0f us per subscription", ticks,
                        ticks * 1e4 / done));
            }
            System.out.println(out);
            if (json != null) {
                // The fields bench/cold-start.sh reads, named as in the load tool's report.
                Files.writeString(json, String.format(Locale.ROOT,
                        "{\"subscribers\": %d, \"connectBySecond\": %s, \"serverRssKibAfterConnect\": null, \"addresses\": %d, \"seconds\": %.3f, \"connectsPerSecond\": %.1f, "
                                + "\"connectP50Ms\": %.3f, \"connectP99Ms\": %.3f, \"serverCpuMicrosPerSubscription\": %s}%n",
                        done, bySecond, addresses.size(), seconds, done / seconds, latencyMicros[done / 2] / 1000.0,
                        latencyMicros[(int) Math.min(done - 1, done * 0.99)] / 1000.0,
                        pid == null ? "null" : String.format(Locale.ROOT, "%.1f", (cpu1 - cpu0) * 1e4 / done)));
            }
            for (SocketChannel c : open) {
                c.close();
            }
        }
    }

    private void start(Selector selector) throws IOException {
        SocketChannel c = SocketChannel.open();
        c.configureBlocking(false);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn conn = new Conn(System.nanoTime(), started);
        InetSocketAddress to = addresses.get(started % addresses.size());
        started++;
        inFlight++;
        open.add(c);
        if (c.connect(to)) {
            c.register(selector, SelectionKey.OP_READ, conn);
            write(c, upgrade);
        }
        else {
            c.register(selector, SelectionKey.OP_CONNECT, conn);
        }
    }

    private void handle(SelectionKey k) throws IOException {
        SocketChannel c = (SocketChannel) k.channel();
        Conn conn = (Conn) k.attachment();
        if (k.isConnectable()) {
            c.finishConnect();
            k.interestOps(SelectionKey.OP_READ);
            write(c, upgrade);
            return;
        }
        readBuffer.clear();
        int n = c.read(readBuffer);
        if (n < 0) {
            throw new IllegalStateException("the server closed a connection before it was subscribed: "
                    + conn.seen);
        }
        readBuffer.flip();
        readBuffer.get(readBytes, 0, n);
        conn.seen.append(new String(readBytes, 0, n, StandardCharsets.ISO_8859_1));
        if (conn.seen.length() >= 12 && conn.seen.indexOf("HTTP/1.1 101") != 0) {
            throw new IllegalStateException("the server refused the upgrade: " + conn.seen);
        }
        if (conn.seen.indexOf("\"pusher:error\"") >= 0) {
            throw new IllegalStateException("the server answered with an error: " + conn.seen);
        }
        if (!conn.subscribeSent && conn.seen.indexOf(ESTABLISHED) >= 0) {
            conn.subscribeSent = true;
            write(c, subscribe);
        }
        if (conn.subscribeSent && conn.seen.indexOf(SUCCEEDED) >= 0) {
            long now = System.nanoTime();
            latencyByStart[conn.index] = (now - conn.startNanos) / 1000;
            latencyMicros[done++] = (now - conn.startNanos) / 1000;
            if (done % chunk == 0 || done == subscribers) {
                reportChunk(now);
            }
            inFlight--;
            // Keep the socket open and quiet; nothing more is read from it.
            k.cancel();
        }
    }

    /**
     * With {@code --rate}: connect + subscribe p50/p99 by the second each connection was started
     * in, so a fresh server's first seconds show (the load tool's report has the same lines).
     */
    private String printBySecond() {
        StringBuilder json = new StringBuilder("[");
        int seconds = startSecond[subscribers - 1] + 1;
        for (int second = 0; second < seconds; second++) {
            List<Long> in = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                if (startSecond[i] == second) {
                    in.add(latencyByStart[i]);
                }
            }
            if (in.isEmpty()) {
                continue;
            }
            in.sort(null);
            double p50 = in.get(in.size() / 2) / 1000.0;
            double p99 = in.get((int) Math.min(in.size() - 1, in.size() * 0.99)) / 1000.0;
            System.out.printf(Locale.ROOT, "    second %d: %d started, p50 %.2f ms, p99 %.2f ms%n", second, in.size(),
                    p50, p99);
            json.append(json.length() > 1 ? ", " : "").append(String.format(Locale.ROOT,
                    "{\"second\": %d, \"connections\": %d, \"p50Ms\": %.3f, \"p99Ms\": %.3f}", second, in.size(), p50, p99));
        }
        return json.append(']').toString();
    }

    /**
     * The rate and the server's CPU per subscription since the last chunk: whether a subscription
     * costs more as the channel grows.
     */
    private void reportChunk(long now) throws IOException {
        long ticks = serverTicks();
        int size = done % chunk == 0 ? chunk : done % chunk;
        String cpu = pid == null ? "" : String.format(Locale.ROOT, ", server %.0f us per subscription",
                (ticks - chunkTicks) * 1e4 / size);
        System.out.printf(Locale.ROOT, "  subscriptions %d-%d: %.0f/s%s%n", done - size + 1, done,
                size / ((now - chunkNanos) / 1e9), cpu);
        chunkNanos = now;
        chunkTicks = ticks;
    }

    /** Small writes to a fresh socket go out whole; anything else is a failure of this tool. */
    private static void write(SocketChannel c, byte[] bytes) throws IOException {
        if (c.write(ByteBuffer.wrap(bytes)) != bytes.length) {
            throw new IllegalStateException("short write");
        }
    }

    /** utime+stime of the server (fields 14 and 15 of /proc/PID/stat), or 0 without a pid. */
    private long serverTicks() throws IOException {
        if (pid == null) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
