package io.herald.core.usage.redis;

import io.herald.core.usage.UsageCounts;
import io.herald.core.usage.UsageDelta;
import io.herald.core.usage.UsageQuantity;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link UsageDelta} as the fields of one usage stream entry:
 * {@code v=1 node=<id> seq=<n> app=<id> at=<epoch ms>} and one field per non-zero quantity
 * ({@link UsageQuantity#wireName()} → decimal count). Unknown fields are ignored, so a newer node
 * may add quantities.
 */
final class UsageDeltaFields {

    static final String VERSION = "1";

    private UsageDeltaFields() {
    }

    static Map<String, String> encode(UsageDelta delta) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("v", VERSION);
        fields.put("node", delta.node());
        fields.put("seq", Long.toString(delta.sequence()));
        fields.put("app", delta.appId());
        fields.put("at", Long.toString(delta.at().toEpochMilli()));
        delta.counts().values().forEach((quantity, count) -> fields.put(quantity.wireName(), Long.toString(count)));
        return fields;
    }

    /** The delta, or {@code null} when the fields are not one. */
    static UsageDelta decode(Map<String, String> fields) {
        try {
            if (!VERSION.equals(fields.get("v"))) {
                return null;
            }
            EnumMap<UsageQuantity, Long> counts = new EnumMap<>(UsageQuantity.class);
            fields.forEach((name, value) -> {
                UsageQuantity quantity = UsageQuantity.fromWireName(name);
                if (quantity != null) {
                    counts.put(quantity, Long.parseLong(value));
                }
            });
            return new UsageDelta(fields.get("node"), Long.parseLong(fields.get("seq")), fields.get("app"),
                    Instant.ofEpochMilli(Long.parseLong(fields.get("at"))), new UsageCounts(counts));
        }
        catch (RuntimeException ex) {
            return null;
        }
    }
}
