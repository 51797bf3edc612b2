package io.herald.core.ratelimit;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.ratelimit.RateLimiter.Grant;
import io.herald.core.ratelimit.RateLimiter.Kind;
import io.herald.core.ratelimit.RateLimiter.Quota;
import io.herald.core.ratelimit.RateLimiter.Resource;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON of rate-limit-service's lease API, shared by the service and {@code HttpRateLimiter}:
 * a request {@code {"appId","resource":"publish|api|daily","kind":"PER_SECOND|PER_DAY","limit",
 * "burst","zone","units","window"?}} and a grant {@code {"granted","retryAfterMicros","window"}}.
 */
public final class LeaseWire {

    private LeaseWire() {
    }

    /** A decision asked for: the quota, the units and, for a release, the grant's window. */
    public record LeaseRequest(Quota quota, long units, long window) {
    }

    public static byte[] request(Quota quota, long units, long window) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("appId", quota.appId());
        node.put("resource", quota.resource().key());
        node.put("kind", quota.kind().name());
        node.put("limit", quota.limit());
        node.put("burst", quota.burst());
        node.put("zone", quota.zone().getId());
        node.put("units", units);
        node.put("window", window);
        return PusherCodec.json().writeValueAsBytes(node);
    }

    /** @throws IllegalArgumentException when the body is not such a request */
    public static LeaseRequest readRequest(byte[] body) {
        try {
            JsonNode node = PusherCodec.json().readTree(body);
            String resourceKey = node.get("resource").asString();
            Resource resource = Arrays.stream(Resource.values()).filter(r -> r.key().equals(resourceKey)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown resource " + resourceKey));
            Quota quota = new Quota(node.get("appId").asString(), resource, Kind.valueOf(node.get("kind").asString()),
                    node.get("limit").asLong(), node.get("burst").asLong(), ZoneId.of(node.get("zone").asString()));
            long units = node.get("units").asLong();
            if (units < 1) {
                throw new IllegalArgumentException("units must be at least 1");
            }
            return new LeaseRequest(quota, units, node.has("window") ? node.get("window").asLong() : 0);
        }
        catch (RuntimeException ex) {
            throw new IllegalArgumentException("Not a lease request: " + ex.getMessage(), ex);
        }
    }

    public static byte[] grant(Grant grant) {
        ObjectNode node = PusherCodec.json().createObjectNode();
        node.put("granted", grant.granted());
        node.put("retryAfterMicros", grant.retryAfter().toNanos() / 1000);
        node.put("window", grant.window());
        return PusherCodec.json().writeValueAsBytes(node);
    }

    public static Grant readGrant(byte[] body) {
        JsonNode node = PusherCodec.json().readTree(body);
        return new Grant(node.get("granted").asLong(), Duration.ofNanos(node.get("retryAfterMicros").asLong() * 1000),
                node.get("window").asLong());
    }
}
