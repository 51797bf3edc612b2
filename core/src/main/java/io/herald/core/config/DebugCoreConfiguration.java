package io.herald.core.config;

import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugProperties;
import io.herald.core.debug.InMemoryDebugConsole;
import io.herald.core.debug.redis.RedisDebugConsole;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.redis.RedisConnections;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/**
 * The live debug console ({@code herald.debug.*}): the {@link DebugConsole} that edges, publish
 * nodes and webhook dispatchers emit to and metrics-service watches. On the state Redis when
 * {@code herald.redis.state} is set ({@link RedisDebugConsole}), else in this process's memory
 * ({@link InMemoryDebugConsole}: the standalone server). {@link DebugConsole#NONE} with
 * {@code herald.debug.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DebugProperties.class)
public class DebugCoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DebugCoreConfiguration.class);

    /** The Redis adapter is closed by Spring's inferred destroy method, before the connections it depends on. */
    @Bean
    @ConditionalOnMissingBean
    public DebugConsole debugConsole(DebugProperties properties, RedisConnections redis, Clock clock) {
        if (!properties.enabled()) {
            log.info("The debug console is off (herald.debug.enabled=false)");
            return DebugConsole.NONE;
        }
        if (redis.properties().state() != null) {
            return new RedisDebugConsole(redis, properties.watchTtl(), properties.refreshInterval(),
                    properties.bufferSize(), properties.maxPublishesInFlight(), clock, Schedulers.parallel());
        }
        return new InMemoryDebugConsole(properties.bufferSize(), clock);
    }

    @Bean
    MeterBinder debugConsoleMeters(DebugConsole console) {
        return registry -> {
            if (console instanceof RedisDebugConsole redis) {
                FunctionCounter.builder(HeraldMeters.DEBUG_EVENTS_DROPPED.meterName(), redis,
                        RedisDebugConsole::droppedByEmitter)
                        .description("Debug console events not delivered").tag("where", "emitter").register(registry);
            }
        };
    }
}
