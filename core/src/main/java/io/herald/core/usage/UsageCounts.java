package io.herald.core.usage;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A value per {@link UsageQuantity}; quantities not present are 0. Immutable.
 *
 * @param values the non-zero values
 */
public record UsageCounts(Map<UsageQuantity, Long> values) {

    /** Nothing counted. */
    public static final UsageCounts ZERO = new UsageCounts(Map.of());

    public UsageCounts {
        Objects.requireNonNull(values, "values");
        EnumMap<UsageQuantity, Long> copy = new EnumMap<>(UsageQuantity.class);
        values.forEach((quantity, value) -> {
            Objects.requireNonNull(quantity, "quantity");
            if (value != null && value != 0) {
                if (value < 0) {
                    throw new IllegalArgumentException(quantity + " is negative: " + value);
                }
                copy.put(quantity, value);
            }
        });
        values = java.util.Collections.unmodifiableMap(copy);
    }

    /** The value of {@code quantity}, 0 when absent. */
    public long get(UsageQuantity quantity) {
        return values.getOrDefault(quantity, 0L);
    }

    /** Whether every value is 0. */
    public boolean isZero() {
        return values.isEmpty();
    }

    /**
     * The billable message count, as Pusher counts messages: every message that enters (published
     * through the API, once per channel, and client events) plus every message delivered to a
     * subscriber plus every webhook call. See docs/usage.md.
     */
    public long billableMessages() {
        return get(UsageQuantity.MESSAGES_PUBLISHED) + get(UsageQuantity.CLIENT_EVENTS)
                + get(UsageQuantity.MESSAGES_DELIVERED) + get(UsageQuantity.WEBHOOK_DELIVERIES);
    }

    /** These counts combined with {@code other}: sums, and the maximum for peaks. */
    public UsageCounts plus(UsageCounts other) {
        EnumMap<UsageQuantity, Long> sum = new EnumMap<>(UsageQuantity.class);
        for (UsageQuantity quantity : UsageQuantity.values()) {
            long a = get(quantity);
            long b = other.get(quantity);
            sum.put(quantity, quantity.isPeak() ? Math.max(a, b) : a + b);
        }
        return new UsageCounts(sum);
    }
}
