package io.herald.edge;

import io.herald.core.broker.Broker;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.testing.RedisServer;
import io.herald.core.testing.ServerTesting;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** An edge service on a random port over a real Redis shard, with a test app, for tests. */
final class EdgeTestServer implements AutoCloseable {

    static final String APP_ID = "edge-test";
    static final String KEY = "edge-key";
    static final String SECRET = "edge-secret-do-not-log";

    final ConfigurableApplicationContext context;
    final int port;
    /** Kept so that counts can be read after the context closed (meters outlive it). */
    private final io.micrometer.core.instrument.MeterRegistry meters;

    EdgeTestServer(RedisServer redis, Map<String, Object> extra) {
        this(redis, extra, List.of());
    }

    /** With more context initializers, e.g. {@link #wrapping} to put a test's gate around a real bean. */
    EdgeTestServer(RedisServer redis, Map<String, Object> extra,
            List<ApplicationContextInitializer<ConfigurableApplicationContext>> initializers) {
        Map<String, Object> props = new HashMap<>(EdgeServiceApplication.DEFAULTS);
        props.put("server.port", 0);
        props.put("herald.apps[0].id", APP_ID);
        props.put("herald.apps[0].key", KEY);
        props.put("herald.apps[0].secret", SECRET);
        props.put("herald.apps[1].id", "disabled-app");
        props.put("herald.apps[1].key", "disabled-key");
        props.put("herald.apps[1].secret", "disabled-secret");
        props.put("herald.apps[1].enabled", false);
        props.put("herald.redis.shards[0]", redis.uri().toString());
        props.put("herald.redis.key-prefix", RedisServer.uniquePrefix());
        // Closing a test server with subscribed clients must not wait the 10 s handover; the drain's
        // tests set their own.
        props.put("herald.edge.drain-handover", "0s");
        props.putAll(extra);
        SpringApplicationBuilder builder = new SpringApplicationBuilder(EdgeServiceApplication.class).properties(props)
                .initializers(ServerTesting::ownEventLoops);
        initializers.forEach(builder::initializers);
        this.context = builder.run();
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        this.meters = context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
    }

    /**
     * An initializer that replaces each bean of {@code type} by {@code wrapper} applied to it, once
     * the real bean is built: how a test puts a gate or a fault in front of a real adapter.
     */
    static <T> ApplicationContextInitializer<ConfigurableApplicationContext> wrapping(Class<T> type,
            UnaryOperator<T> wrapper) {
        return context -> context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return type.isInstance(bean) ? wrapper.apply(type.cast(bean)) : bean;
            }
        });
    }

    String url(String pathAndQuery) {
        return "ws://127.0.0.1:" + port + pathAndQuery;
    }

    String appUrl() {
        return url("/app/" + KEY + "?protocol=7&client=test&version=1.0");
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** Publishes as publish-service would: one envelope with the encoded frame. */
    void publish(String channel, String event, String data, String excludeSocketId) {
        bean(Broker.class).publish(new Envelope(new ChannelKey(APP_ID, channel), UUID.randomUUID().toString(),
                excludeSocketId, PusherCodec.channelEvent(event, channel, data, null)))
                .block(Duration.ofSeconds(5));
    }

    /** How many connections ended with {@code code}, as {@code herald.connections.closed} counts them. */
    double closed(int code) {
        io.micrometer.core.instrument.Counter counter = meters.find(io.herald.core.metrics.HeraldMeters.CONNECTIONS_CLOSED.meterName())
                .tag("code", String.valueOf(code)).counter();
        return counter == null ? 0 : counter.count();
    }

    /**
     * Waits until {@link #closed} of {@code code} exceeds {@code before}: for codes that other
     * tests' connections may also end with at the same time (1000, 1006).
     */
    void awaitClosedAfter(int code, double before) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> closed(code) > before);
    }

    /** Waits until {@link #closed} of {@code code} reaches {@code expected}; fails if it does not, or overshoots. */
    void awaitClosed(int code, double expected) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> closed(code) >= expected);
        org.assertj.core.api.Assertions.assertThat(closed(code)).as("connections closed with %d", code)
                .isEqualTo(expected);
    }

    @Override
    public void close() {
        context.close();
    }
}
