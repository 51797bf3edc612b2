package io.herald.bench.scaling;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A simulated cluster's channels and where their subscribers are: each channel's name (app id and
 * channel, so it hashes to a shard as Herald's do), its popularity (share of the publishes) and,
 * per edge that holds any of its subscribers, how many.
 *
 * <p>Deterministic: the same {@link Spec} (seed included) always builds the same cluster.
 */
public final class Cluster {

    /** How a balancer in front of the edges places connections. */
    public enum Placement {
        /** Each subscriber on an edge chosen uniformly at random (random or hash balancing). */
        RANDOM,
        /**
         * Subscribers arrive in random order and each goes to the next edge in turn, as a
         * least-connections balancer does when connections are alike: every edge holds the same
         * number (±1), while a channel's subscribers still land on edges at random.
         */
        BALANCED
    }

    /**
     * @param channels channels, ranked by popularity (channel 0 the hottest)
     * @param zipf the popularity exponent: channel k (from 1) gets a share proportional to
     *        {@code 1 / k^zipf} of the publishes; 0 is uniform
     * @param hotChannels if positive, instead of {@code zipf}: the first {@code hotChannels}
     *        channels share {@code hotShare} of the publishes equally, the others the rest equally
     * @param hotShare see {@code hotChannels}
     * @param subscribersPerChannel subscribers of each channel
     * @param edges edge nodes
     * @param apps channels are spread over this many app ids (channel k belongs to app k mod apps)
     * @param keepSubscribers also record each subscriber's edge, for the per-subscriber trace
     */
    public record Spec(int channels, double zipf, int hotChannels, double hotShare,
                       long subscribersPerChannel, int edges,
                       Placement placement, int apps, long seed, boolean keepSubscribers) {

        /** Zipf popularity, 20 apps, balanced placement. */
        public static Spec zipf(int channels, double zipf, long subscribersPerChannel, int edges, long seed) {
            return new Spec(channels, zipf, 0, 0, subscribersPerChannel, edges, Placement.BALANCED, 20, seed, false);
        }

        /** {@code hot} channels with {@code share} of the publishes, 20 apps, balanced placement. */
        public static Spec hot(int channels, int hot, double share, long subscribersPerChannel, int edges,
                               long seed) {
            return new Spec(channels, 0, hot, share, subscribersPerChannel, edges, Placement.BALANCED, 20, seed,
                    false);
        }

        public Spec withPlacement(Placement p) {
            return new Spec(channels, zipf, hotChannels, hotShare, subscribersPerChannel, edges, p, apps, seed,
                    keepSubscribers);
        }

        public Spec keepingSubscribers() {
            return new Spec(channels, zipf, hotChannels, hotShare, subscribersPerChannel, edges, placement, apps,
                    seed, true);
        }

        public Spec {
            Objects.requireNonNull(placement, "placement");
            if (channels < 1 || edges < 1 || apps < 1 || subscribersPerChannel < 0 || zipf < 0) {
                throw new IllegalArgumentException("channels, edges and apps must be positive, "
                        + "subscribers and zipf not negative");
            }
            if (hotChannels < 0 || hotChannels > channels || hotShare < 0 || hotShare > 1
                    || (hotChannels == channels && hotChannels > 0 && hotShare < 1)) {
                throw new IllegalArgumentException("hotChannels must be in [0, channels], hotShare in [0, 1]");
            }
            if ((long) channels * subscribersPerChannel > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("too many subscriptions to simulate");
            }
        }
    }

    private final Spec spec;
    private final String[] appIds;
    private final String[] names;
    private final double[] weights;
    /** Per channel: the edges holding at least one subscriber, and how many each holds. */
    private final int[][] holdingEdges;
    private final int[][] localCounts;
    /** With {@code keepSubscribers}: per channel and holding edge (same order), the subscriber ids. */
    private final int[][][] localSubscribers;
    private final long[] edgeSubscriptions;

    private Cluster(Spec spec) {
        this.spec = spec;
        int m = spec.channels();
        appIds = new String[m];
        names = new String[m];
        weights = new double[m];
        double sum = 0;
        for (int c = 0; c < m; c++) {
            appIds[c] = "app-" + (c % spec.apps());
            names[c] = "channel-" + c;
            if (spec.hotChannels() > 0) {
                weights[c] = c < spec.hotChannels()
                        ? spec.hotShare() / spec.hotChannels()
                        : (1 - spec.hotShare()) / (m - spec.hotChannels());
            } else {
                weights[c] = Math.pow(c + 1, -spec.zipf());
            }
            sum += weights[c];
        }
        for (int c = 0; c < m; c++) {
            weights[c] /= sum;
        }
        int f = (int) spec.subscribersPerChannel();
        int[] edgeOf = place(spec, m * f);
        holdingEdges = new int[m][];
        localCounts = new int[m][];
        localSubscribers = spec.keepSubscribers() ? new int[m][][] : null;
        edgeSubscriptions = new long[spec.edges()];
        int[] scratch = new int[spec.edges()];
        int[] touched = new int[Math.min(f, spec.edges())];
        for (int c = 0; c < m; c++) {
            int distinct = 0;
            for (int s = c * f; s < (c + 1) * f; s++) {
                int e = edgeOf[s];
                if (scratch[e]++ == 0) {
                    touched[distinct++] = e;
                }
            }
            int[] edges = Arrays.copyOf(touched, distinct);
            Arrays.sort(edges);
            int[] counts = new int[distinct];
            for (int i = 0; i < distinct; i++) {
                counts[i] = scratch[edges[i]];
                edgeSubscriptions[edges[i]] += counts[i];
            }
            if (localSubscribers != null) {
                localSubscribers[c] = new int[distinct][];
                int[] fill = new int[distinct];
                for (int i = 0; i < distinct; i++) {
                    localSubscribers[c][i] = new int[counts[i]];
                }
                for (int s = c * f; s < (c + 1) * f; s++) {
                    int i = Arrays.binarySearch(edges, edgeOf[s]);
                    localSubscribers[c][i][fill[i]++] = s;
                }
            }
            for (int i = 0; i < distinct; i++) {
                scratch[edges[i]] = 0;
            }
            holdingEdges[c] = edges;
            localCounts[c] = counts;
        }
    }

    /** The edge of every subscription (channel-major: channel c's are {@code [c*F, (c+1)*F)}). */
    private static int[] place(Spec spec, int total) {
        SplittableRandom random = new SplittableRandom(spec.seed());
        int[] edgeOf = new int[total];
        if (spec.placement() == Placement.RANDOM) {
            for (int s = 0; s < total; s++) {
                edgeOf[s] = random.nextInt(spec.edges());
            }
            return edgeOf;
        }
        // BALANCED: a random arrival order (Fisher-Yates), then edges in turn.
        int[] order = new int[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        for (int i = total - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int arrival = 0; arrival < total; arrival++) {
            edgeOf[order[arrival]] = arrival % spec.edges();
        }
        return edgeOf;
    }

    public static Cluster build(Spec spec) {
        return new Cluster(Objects.requireNonNull(spec, "spec"));
    }

    public Spec spec() {
        return spec;
    }

    public int channels() {
        return names.length;
    }

    public String appId(int channel) {
        return appIds[channel];
    }

    public String channelName(int channel) {
        return names[channel];
    }

    /** The channel's share of all publishes. */
    public double weight(int channel) {
        return weights[channel];
    }

    /** The edges holding the channel's subscribers, ascending. Do not modify. */
    public int[] holdingEdges(int channel) {
        return holdingEdges[channel];
    }

    /** Subscribers on each of {@link #holdingEdges}, same order. Do not modify. */
    public int[] localCounts(int channel) {
        return localCounts[channel];
    }

    /** Subscriber ids on the {@code i}-th holding edge; only with {@code keepSubscribers}. */
    public int[] localSubscribers(int channel, int i) {
        if (localSubscribers == null) {
            throw new IllegalStateException("built without keepSubscribers");
        }
        return localSubscribers[channel][i];
    }

    /** The channel of a subscriber id. */
    public int channelOf(int subscriber) {
        return (int) (subscriber / spec.subscribersPerChannel());
    }

    public long subscribers() {
        return spec.channels() * spec.subscribersPerChannel();
    }

    /** Subscriptions held by each edge. */
    public long[] edgeSubscriptions() {
        return edgeSubscriptions.clone();
    }
}
