package io.herald.edge;

import io.herald.core.error.PusherError;
import io.herald.core.metrics.HeraldMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Counts every WebSocket connection of this edge node that ended, once, by its close code:
 * refused at the handshake (4001, 4003, 4005–4008), closed by the server (4009, 4100, 4200,
 * 4201, …) or by the client (1000, 1001), ended by a frame too big (1009) or with no close frame
 * at all (1006). The meter is {@link HeraldMeters#CONNECTIONS_CLOSED}, tagged {@code code} and
 * {@code reason}; both come from a fixed set (every {@link PusherError} and the WebSocket codes
 * listed in {@link #reason}), any other code is {@code other}, so a client cannot grow the tags.
 */
public final class ConnectionCloses {

    /** The tag value of any code outside the known set. */
    public static final String OTHER = "other";

    private static final Map<Integer, String> WEBSOCKET_REASONS = Map.of(
            1000, "normal",
            1001, "going_away",
            1002, "protocol_error",
            1003, "unsupported_data",
            1006, "abnormal",
            1007, "invalid_payload",
            1008, "policy_violation",
            1009, "message_too_big",
            1011, "internal_error");

    private final MeterRegistry meters;
    /** One counter per known code, registered up front: every series exists from the start (at 0). */
    private final Map<Integer, Counter> counters;
    private final Counter other;

    public ConnectionCloses(MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters");
        Map<Integer, Counter> known = new HashMap<>();
        for (PusherError error : PusherError.values()) {
            known.put(error.code(), register(String.valueOf(error.code()), reason(error.code())));
        }
        WEBSOCKET_REASONS.forEach((code, reason) -> known.put(code, register(String.valueOf(code), reason)));
        this.counters = Map.copyOf(known);
        this.other = register(OTHER, OTHER);
    }

    /** Counts one connection that ended with {@code code}. */
    public void count(int code) {
        counters.getOrDefault(code, other).increment();
    }

    /** The {@code reason} tag of a close code: the Pusher error's name, the WebSocket code's, or {@code other}. */
    public static String reason(int code) {
        for (PusherError error : PusherError.values()) {
            if (error.code() == code) {
                return error.name().toLowerCase(Locale.ROOT);
            }
        }
        return WEBSOCKET_REASONS.getOrDefault(code, OTHER);
    }

    private Counter register(String code, String reason) {
        return Counter.builder(HeraldMeters.CONNECTIONS_CLOSED.meterName())
                .description("WebSocket connections that ended: refused, closed by the server or by the client, by close code")
                .tag("code", code)
                .tag("reason", reason)
                .register(meters);
    }
}
