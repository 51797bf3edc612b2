package io.herald.metrics.security.redis;

import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisLink;
import io.herald.metrics.security.Digests;
import io.herald.metrics.security.SignInSessions;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Objects;
import reactor.core.publisher.Mono;

/**
 * Sessions on the state Redis, shared by every metrics-service replica: a string
 * {@code p + "session:" + sha256(id)} holding {@code tenant \n username \n check}, with the idle
 * timeout as its TTL, renewed by each {@link #find} ({@code GETEX … PX}). Idle sessions cost
 * nothing: they expire.
 */
public final class RedisSignInSessions implements SignInSessions, AutoCloseable {

    private final String prefix;
    private final Duration idleTimeout;
    private final RedisLink<StatefulRedisConnection<String, String>> link;

    public RedisSignInSessions(RedisConnections connections, Duration idleTimeout) {
        Objects.requireNonNull(connections, "connections");
        this.prefix = connections.keyPrefix() + "session:";
        this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
        this.link = connections.connectState("sign-in sessions",
                (client, uri) -> client.connectAsync(StringCodec.UTF8, uri), null);
    }

    private String key(String sessionId) {
        return prefix + Digests.sha256(sessionId);
    }

    @Override
    public Mono<String> create(SignIn signIn) {
        Objects.requireNonNull(signIn, "signIn");
        String value = signIn.tenantId() + "\n" + signIn.username() + "\n" + signIn.passwordCheck();
        return SignInSessions.newId().flatMap(id -> link.awaitAndRun(c -> c.reactive()
                .set(key(id), value, SetArgs.Builder.px(idleTimeout.toMillis())))
                .thenReturn(id));
    }

    @Override
    public Mono<SignIn> find(String sessionId) {
        return link.awaitAndRun(c -> c.reactive().getex(key(sessionId), GetExArgs.Builder.px(idleTimeout.toMillis())))
                .mapNotNull(value -> {
                    String[] parts = value.split("\n", -1);
                    return parts.length == 3 ? new SignIn(parts[0], parts[1], parts[2]) : null;
                });
    }

    @Override
    public Mono<Void> delete(String sessionId) {
        return link.awaitAndRun(c -> c.reactive().del(key(sessionId))).then();
    }

    @Override
    public void close() {
        link.close();
    }
}
