package io.herald.bench.scaling;

import java.util.Objects;
import java.util.SplittableRandom;

/** How many messages each channel of a {@link Cluster} gets in one simulated second. */
public final class Traffic {

    private final long[] publishes;

    private Traffic(long[] publishes) {
        this.publishes = publishes;
    }

    /**
     * Each channel gets its expected share, {@code round(rate × weight)}: no sampling noise, so
     * what is left of an imbalance is the hashing's and the placement's.
     */
    public static Traffic expected(Cluster cluster, double publishesPerSecond) {
        long[] n = new long[cluster.channels()];
        for (int c = 0; c < n.length; c++) {
            n[c] = Math.round(publishesPerSecond * cluster.weight(c));
        }
        return new Traffic(n);
    }

    /**
     * {@code publishesPerSecond} publishes, each to a channel drawn by popularity (a multinomial
     * draw, seeded): the second as it might happen, with the noise of a real second.
     */
    public static Traffic sampled(Cluster cluster, long publishesPerSecond, long seed) {
        Objects.requireNonNull(cluster, "cluster");
        double[] cumulative = new double[cluster.channels()];
        double sum = 0;
        for (int c = 0; c < cumulative.length; c++) {
            sum += cluster.weight(c);
            cumulative[c] = sum;
        }
        SplittableRandom random = new SplittableRandom(seed);
        long[] n = new long[cluster.channels()];
        for (long i = 0; i < publishesPerSecond; i++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = cumulative.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] <= u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            n[lo]++;
        }
        return new Traffic(n);
    }

    /** Explicit counts per channel. */
    public static Traffic of(long... publishes) {
        return new Traffic(publishes.clone());
    }

    public long publishes(int channel) {
        return publishes[channel];
    }

    public int channels() {
        return publishes.length;
    }

    public long total() {
        long t = 0;
        for (long n : publishes) {
            t += n;
        }
        return t;
    }
}
