package io.herald.core.app;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A tenant application: what Pusher calls an app, with its credentials, limits, features and
 * webhooks.
 *
 * <p>Secrets: {@link #secret()} signs everything; after a rotation the previous secret is still
 * accepted until {@link #previousSecretValidUntil()}. {@link #toString()} never shows a secret,
 * and {@link #withoutSecrets()} is the view that may leave the trusted services (the edge gets
 * only that).
 *
 * @param id the app id used in HTTP API paths
 * @param key the public key clients connect with
 * @param secret the signing secret; empty in a {@link #withoutSecrets()} view
 * @param name a human-readable name
 * @param enabled a disabled app refuses connections (4003) and publishes (403)
 * @param limits the app's limits
 * @param features what the app has switched on
 * @param webhooks where webhooks go
 * @param previousSecret the secret before the last rotation, or {@code null}
 * @param previousSecretValidUntil until when {@code previousSecret} is still accepted, or {@code null}
 */
public record App(String id, String key, String secret, String name, boolean enabled, AppLimits limits,
        AppFeatures features, List<Webhook> webhooks, String previousSecret, Instant previousSecretValidUntil) {

    /** Pusher's documented limit for one event's data. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 10 * 1024;

    public App {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
        name = name == null ? id : name;
        limits = limits == null ? AppLimits.DEFAULTS : limits;
        features = features == null ? AppFeatures.DEFAULTS : features;
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        if (previousSecret == null) {
            previousSecretValidUntil = null;
        }
    }

    /** An app with default limits except the payload size, no features and no webhooks. */
    public App(String id, String key, String secret, String name, boolean enabled, int maxPayloadBytes) {
        this(id, key, secret, name, enabled, AppLimits.DEFAULTS.withMaxPayloadBytes(maxPayloadBytes),
                AppFeatures.DEFAULTS, List.of(), null, null);
    }

    public int maxPayloadBytes() {
        return limits.maxPayloadBytes();
    }

    /** The secrets that verify a signature at {@code now}: the current one, and the previous one during its grace period. */
    public List<String> secretsAt(Instant now) {
        if (previousSecret != null && previousSecretValidUntil != null && now.isBefore(previousSecretValidUntil)) {
            return List.of(secret, previousSecret);
        }
        return List.of(secret);
    }

    /** This app without its secrets: what the internet-facing edge may hold. */
    public App withoutSecrets() {
        return new App(id, key, "", name, enabled, limits, features, webhooks, null, null);
    }

    public App withEnabled(boolean enabled) {
        return new App(id, key, secret, name, enabled, limits, features, webhooks, previousSecret,
                previousSecretValidUntil);
    }

    @Override
    public String toString() {
        return "App[id=" + id + ", key=" + key + ", name=" + name + ", enabled=" + enabled + ", limits=" + limits
                + ", features=" + features + ", webhooks=" + webhooks.size() + "]";
    }
}
