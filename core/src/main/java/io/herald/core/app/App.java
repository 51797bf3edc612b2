package io.herald.core.app;

import java.util.Objects;

/**
 * A tenant application: what Pusher calls an app, with its credentials and limits.
 *
 * @param id the app id used in HTTP API paths
 * @param key the public key clients connect with
 * @param secret the signing secret; never logged ({@link #toString()} leaves it out)
 * @param name a human-readable name
 * @param enabled a disabled app refuses connections (4003) and publishes (403)
 * @param maxPayloadBytes the largest {@code data} accepted for one event, in bytes
 */
public record App(String id, String key, String secret, String name, boolean enabled, int maxPayloadBytes) {

    /** Pusher's documented limit for one event's data. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 10 * 1024;

    public App {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
        name = name == null ? id : name;
        if (maxPayloadBytes <= 0) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive");
        }
    }

    @Override
    public String toString() {
        return "App[id=" + id + ", key=" + key + ", name=" + name + ", enabled=" + enabled
                + ", maxPayloadBytes=" + maxPayloadBytes + "]";
    }
}
