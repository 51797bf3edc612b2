package io.herald.core.webhook.redis;

import io.herald.core.webhook.WebhookFailureLog;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@link WebhookFailureLog} on the state Redis: one list per app,
 * {@code {prefix}webhook-failures:{appId}}, newest first, each entry one JSON object. Recording
 * is {@code LPUSH}, {@code LTRIM} to {@code keptPerApp} entries, and {@code EXPIRE} so that the
 * list of an app that stops failing (or is deleted) goes away after {@code retention}.
 */
public final class RedisWebhookFailureLog implements WebhookFailureLog {

    private static final Logger log = LoggerFactory.getLogger(RedisWebhookFailureLog.class);

    /** How long an app's list is kept after its last failure. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WebhookRedisClient redis;
    private final int keptPerApp;
    private final Duration retention;

    public RedisWebhookFailureLog(WebhookRedisClient redis) {
        this(redis, DEFAULT_KEPT_PER_APP, DEFAULT_RETENTION);
    }

    public RedisWebhookFailureLog(WebhookRedisClient redis, int keptPerApp, Duration retention) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.retention = Objects.requireNonNull(retention, "retention");
        if (keptPerApp <= 0) {
            throw new IllegalArgumentException("keptPerApp must be positive");
        }
        this.keptPerApp = keptPerApp;
    }

    /** The list's key for an app. */
    public String key(String appId) {
        return redis.keyPrefix() + "webhook-failures:" + appId;
    }

    @Override
    public Mono<Void> record(WebhookFailure failure) {
        Objects.requireNonNull(failure, "failure");
        String key = key(failure.appId());
        String json = encode(failure);
        return redis.run(commands -> commands.lpush(key, json)
                .then(commands.ltrim(key, 0, keptPerApp - 1))
                .then(commands.expire(key, retention)))
                .then();
    }

    @Override
    public Flux<WebhookFailure> recent(String appId, int limit) {
        Objects.requireNonNull(appId, "appId");
        if (limit <= 0) {
            return Flux.empty();
        }
        return redis.runMany(commands -> commands.lrange(key(appId), 0, Math.min(limit, keptPerApp) - 1))
                .concatMap(json -> Mono.justOrEmpty(decode(json)));
    }

    static String encode(WebhookFailure failure) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("app_id", failure.appId());
        fields.put("url", failure.url().toString());
        fields.put("at", failure.at().toString());
        fields.put("attempt", failure.attempt());
        fields.put("status", failure.status());
        fields.put("reason", failure.reason());
        fields.put("events", failure.events());
        fields.put("gave_up", failure.gaveUp());
        return JSON.writeValueAsString(fields);
    }

    static WebhookFailure decode(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new WebhookFailure(node.get("app_id").asString(), URI.create(node.get("url").asString()),
                    Instant.parse(node.get("at").asString()), node.get("attempt").asInt(), node.get("status").asInt(),
                    node.get("reason").asString(), node.get("events").asInt(), node.get("gave_up").asBoolean());
        }
        catch (RuntimeException ex) {
            log.warn("Skipping a webhook failure entry that cannot be read: {}", ex.getMessage());
            return null;
        }
    }
}
