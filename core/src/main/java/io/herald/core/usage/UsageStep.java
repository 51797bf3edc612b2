package io.herald.core.usage;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The resolution of a usage series; buckets are aligned in UTC. */
public enum UsageStep {

    MINUTE(ChronoUnit.MINUTES, "m"),
    HOUR(ChronoUnit.HOURS, "h"),
    DAY(ChronoUnit.DAYS, "d");

    private final ChronoUnit unit;
    private final String key;

    UsageStep(ChronoUnit unit, String key) {
        this.unit = unit;
        this.key = key;
    }

    /** The length of one bucket. */
    public Duration length() {
        return unit.getDuration();
    }

    /** The start of the bucket {@code instant} falls in. */
    public Instant bucketOf(Instant instant) {
        return instant.truncatedTo(unit);
    }

    /** The short name used in storage keys. */
    public String key() {
        return key;
    }

    /** The step named {@code name} ({@code minute}, {@code hour}, {@code day}, any case), or {@code null}. */
    public static UsageStep parse(String name) {
        for (UsageStep step : values()) {
            if (step.name().equalsIgnoreCase(name)) {
                return step;
            }
        }
        return null;
    }
}
