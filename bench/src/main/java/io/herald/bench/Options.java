package io.herald.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Command-line options of the load tool. Every option has a default that matches the standalone
 * server's demo app; every numeric option is range-checked so a run is always bounded.
 */
final class Options {

    static final List<Integer> DEFAULT_STEPS = List.of(50, 100, 200, 400, 800, 1600, 3200, 6400);

    String host = "127.0.0.1";
    int port = 6001;
    String appId = "demo-app";
    String key = "demo-key";
    String secret = "demo-secret";
    String channel = "bench";
    String eventName = "bench-event";
    int subscribers = 100;
    int rate = 100;
    int durationSeconds = 10;
    int warmupSeconds = 5;
    int drainSeconds = 5;
    int connectConcurrency = 50;
    int connectRate = 0;
    int connectTimeoutSeconds = 60;
    /** Seconds to hold the connections idle after subscribing, instead of publishing (0: publish). */
    int holdSeconds;
    int payloadBytes = 0;
    int maxInFlight = 1000;
    int httpConnections = 32;
    int requestTimeoutSeconds = 10;
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    boolean findMax;
    List<Integer> steps = DEFAULT_STEPS;
    double maxP99Ms = 100.0;
    Path json;
    boolean help;
    /** What the server speaks: {@code pusher} (Herald, soketi) or {@code nchan} (see {@link Protocol}). */
    Protocol protocol = Protocol.PUSHER;
    /** Channels the subscribers are spread over; subscriber i joins channel i mod N, message s goes to s mod N. */
    int channels = 1;
    /** Server processes whose CPU (utime + stime) and RSS the tool samples from /proc; empty = none. */
    List<Integer> serverPids = List.of();
    /**
     * Whether the publisher's HTTP connections run on an event-loop thread of their own
     * ({@code --publisher-loop dedicated}, the default) or on the loops the subscribers share
     * ({@code shared}, the tool before stop 16): on a one-core tool decoding 100,000 frames/s a
     * shared loop makes every publish response wait behind the subscribers' frames, and the
     * publish round trip then measures the tool's queue, not the server.
     */
    boolean dedicatedPublisherLoop = true;
    /**
     * The first N subscribers run on an event-loop thread of their own and their latency is
     * reported apart: they decode few frames, so the operating system wakes their thread as their
     * frames arrive, and their latency is the server's plus a scheduler wake-up, without the
     * time the shared loops take to get to a frame.
     */
    int probeSubscribers;

    /** The wire protocol of the server under test. */
    enum Protocol {
        /** Pusher Channels: WebSocket {@code /app/{key}} with pusher:subscribe, signed {@code POST /apps/{id}/events}. */
        PUSHER,
        /**
         * nginx + nchan, for the side-by-side benchmark only: WebSocket {@code /sub/{channel}} is
         * subscribed once the handshake completes and receives each message body as one text frame;
         * {@code POST /pub/{channel}} publishes the body as is, unsigned.
         */
        NCHAN
    }

    static final String USAGE = """
            Usage: java -jar bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar [options]

            Target (must match an app configured on the server):
              --host H                 server host (default 127.0.0.1; the only host ever contacted)
              --port P                 server port (default 6001)
              --app-id ID              app id used in POST /apps/{id}/events (default demo-app)
              --key KEY                app key used in ws://host:port/app/{key} (default demo-key)
              --secret SECRET          app secret used to sign HTTP API requests (default demo-secret)
              --channel NAME           public channel all subscribers join (default bench)
              --event NAME             event name published (default bench-event)

            Load:
              --subscribers N          WebSocket connections, all on the same channel (default 100)
              --rate R                 messages published per second (default 100)
              --duration S             measured publishing time in seconds (default 10)
              --warmup S               publishing time before measuring, in seconds (default 5);
                                       lets both JVMs compile the hot paths
              --drain S                longest wait for late deliveries after publishing (default 5)
              --payload-bytes B        extra padding in each message's data (default 0)

            Connections and client limits:
              --connect-concurrency N  WebSocket handshakes in progress at once (default 50)
              --connect-rate N         new connections started per second, 0 = no ramp (default 0)
              --connect-timeout S      limit for connecting and subscribing everyone (default 60)
              --hold S                 after subscribing, keep the connections idle for S seconds and
                                       close them, publishing nothing (idle-memory measurements)
              --max-in-flight N        HTTP publishes awaiting a response; beyond it a publish is
                                       counted as an error, not queued (default 1000)
              --http-connections N     HTTP keep-alive connections for publishing (default 32)
              --request-timeout S      HTTP publish timeout (default 10)
              --threads N              event-loop threads shared by all connections (default: CPUs)
              --publisher-loop L       dedicated (default): publish on an event-loop thread of its
                                       own; shared: on the subscribers' loops (the old tool)
              --probe-subscribers N    the first N subscribers run on a loop of their own and
                                       their latency is also reported apart (default 0)

            Modes and output:
              --find-max               step the rate up and report the highest passing rate
              --steps 50,100,200,...   rates tried by --find-max (default 50,100,...,6400)
              --max-p99-ms MS          p99 limit for a step to pass (default 100)
              --json FILE              also write the report as JSON
              --channels N             spread subscribers over N channels (NAME-0 ... NAME-(N-1));
                                       message s goes to channel s mod N (default 1: just NAME)
              --protocol P             pusher (default) or nchan (peer mode for nginx + nchan:
                                       ws /sub/{channel}, unsigned POST /pub/{channel})
              --server-pid P[,P...]    sample these processes' CPU (utime+stime) over the measured
                                       window and their RSS after connecting, from /proc
              --help                   this text
            """;

    static Options parse(String... args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--help", "-h" -> o.help = true;
                case "--find-max" -> o.findMax = true;
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException("Missing value for " + arg);
                        }
                        value = args[++i];
                    }
                    o.set(arg, value);
                }
            }
        }
        o.validate();
        return o;
    }

    private void set(String name, String value) {
        switch (name) {
            case "--host" -> host = nonEmpty(name, value);
            case "--port" -> port = intIn(name, value, 1, 65535);
            case "--app-id" -> appId = nonEmpty(name, value);
            case "--key" -> key = nonEmpty(name, value);
            case "--secret" -> secret = nonEmpty(name, value);
            case "--channel" -> channel = nonEmpty(name, value);
            case "--event" -> eventName = nonEmpty(name, value);
            case "--subscribers" -> subscribers = intIn(name, value, 1, 200_000);
            case "--rate" -> rate = intIn(name, value, 1, 1_000_000);
            case "--duration" -> durationSeconds = intIn(name, value, 1, 3600);
            case "--warmup" -> warmupSeconds = intIn(name, value, 0, 600);
            case "--drain" -> drainSeconds = intIn(name, value, 0, 600);
            case "--payload-bytes" -> payloadBytes = intIn(name, value, 0, 9_000);
            case "--connect-concurrency" -> connectConcurrency = intIn(name, value, 1, 10_000);
            case "--connect-rate" -> connectRate = intIn(name, value, 0, 100_000);
            case "--connect-timeout" -> connectTimeoutSeconds = intIn(name, value, 1, 3600);
            case "--hold" -> holdSeconds = intIn(name, value, 1, 86_400);
            case "--max-in-flight" -> maxInFlight = intIn(name, value, 1, 100_000);
            case "--http-connections" -> httpConnections = intIn(name, value, 1, 10_000);
            case "--request-timeout" -> requestTimeoutSeconds = intIn(name, value, 1, 600);
            case "--threads" -> threads = intIn(name, value, 1, 256);
            case "--steps" -> steps = parseSteps(value);
            case "--max-p99-ms" -> maxP99Ms = doubleIn(name, value, 0.001, 3_600_000);
            case "--json" -> json = Path.of(nonEmpty(name, value));
            case "--channels" -> channels = intIn(name, value, 1, 200_000);
            case "--protocol" -> protocol = switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "pusher" -> Protocol.PUSHER;
                case "nchan" -> Protocol.NCHAN;
                default -> throw new IllegalArgumentException("--protocol must be pusher or nchan, got '" + value + "'");
            };
            case "--server-pid" -> serverPids = parsePids(value);
            case "--publisher-loop" -> dedicatedPublisherLoop = switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "dedicated" -> true;
                case "shared" -> false;
                default -> throw new IllegalArgumentException(
                        "--publisher-loop must be dedicated or shared, got '" + value + "'");
            };
            case "--probe-subscribers" -> probeSubscribers = intIn(name, value, 0, 200_000);
            default -> throw new IllegalArgumentException("Unknown option " + name + " (see --help)");
        }
    }

    private void validate() {
        if (probeSubscribers >= subscribers && probeSubscribers > 0) {
            throw new IllegalArgumentException("--probe-subscribers (" + probeSubscribers
                    + ") must be fewer than --subscribers (" + subscribers + ")");
        }
        if (channels > subscribers) {
            throw new IllegalArgumentException("--channels (" + channels + ") must not exceed --subscribers ("
                    + subscribers + "): every channel needs a subscriber");
        }
        long total = (long) rate * (durationSeconds + warmupSeconds);
        if (!findMax && total > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("--rate x (--duration + --warmup) is too many messages");
        }
        for (int step : steps) {
            if ((long) step * (durationSeconds + warmupSeconds) > Integer.MAX_VALUE - 1) {
                throw new IllegalArgumentException("step " + step + " x (--duration + --warmup) is too many messages");
            }
        }
    }

    /** Messages published in the warm-up phase at {@code rate}. */
    int warmupMessages(int atRate) {
        return atRate * warmupSeconds;
    }

    /** Messages published in the measured phase at {@code rate}. */
    int measuredMessages(int atRate) {
        return atRate * durationSeconds;
    }

    private static List<Integer> parsePids(String value) {
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(intIn("--server-pid", part, 1, Integer.MAX_VALUE));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--server-pid needs at least one process id");
        }
        return List.copyOf(out);
    }

    /** The channel subscriber {@code index} joins. */
    String channelOfSubscriber(int index) {
        return channelName(index % channels);
    }

    /** The channel message {@code seq} is published to. */
    String channelOfMessage(long seq) {
        return channelName((int) (seq % channels));
    }

    private String channelName(int i) {
        return channels == 1 ? channel : channel + "-" + i;
    }

    private static List<Integer> parseSteps(String value) {
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String s = part.trim();
            if (!s.isEmpty()) {
                out.add(intIn("--steps", s, 1, 1_000_000));
            }
        }
        if (out.isEmpty() || out.size() > 50) {
            throw new IllegalArgumentException("--steps needs 1 to 50 comma-separated rates");
        }
        for (int i = 1; i < out.size(); i++) {
            if (out.get(i) <= out.get(i - 1)) {
                throw new IllegalArgumentException("--steps must be strictly increasing: " + value);
            }
        }
        return List.copyOf(out);
    }

    private static String nonEmpty(String name, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    private static int intIn(String name, String value, int min, int max) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " expects a whole number, got '" + value + "'");
        }
    }

    private static double doubleIn(String name, String value, double min, double max) {
        try {
            double v = Double.parseDouble(value.trim());
            if (!(v >= min && v <= max)) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + v);
            }
            return v;
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " expects a number, got '" + value + "'");
        }
    }

    /** The WebSocket URL of a subscriber of {@code channelName}. */
    String wsUrl(String channelName) {
        return protocol == Protocol.NCHAN ? "ws://" + hostForUrl() + ":" + port + "/sub/" + channelName : wsUrl();
    }

    /** The path a message to {@code channelName} is published to. */
    String publishPath(String channelName) {
        return protocol == Protocol.NCHAN ? "/pub/" + channelName : "/apps/" + appId + "/events";
    }

    String wsUrl() {
        return "ws://" + hostForUrl() + ":" + port + "/app/" + key + "?protocol=7&client=herald-bench&version=1.0";
    }

    String baseHttpUrl() {
        return "http://" + hostForUrl() + ":" + port;
    }

    private String hostForUrl() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    String describeTarget() {
        String channelText = channels == 1 ? channel : channel + "-0.." + channel + "-" + (channels - 1);
        return protocol == Protocol.NCHAN
                ? String.format(Locale.ROOT, "%s:%d nchan channel=%s", host, port, channelText)
                : String.format(Locale.ROOT, "%s:%d app-id=%s key=%s channel=%s", host, port, appId, key, channelText);
    }
}
