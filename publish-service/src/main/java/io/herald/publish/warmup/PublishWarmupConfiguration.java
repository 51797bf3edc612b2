package io.herald.publish.warmup;

import io.herald.core.warmup.WarmupConfiguration;
import io.herald.core.warmup.WarmupProperties;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * The publish role's part of the start-up warm-up ({@link WarmupConfiguration}): the signed
 * publish, with the publish role unless {@code herald.warmup.enabled=false}; with subscribers
 * when the edge role runs in the same process.
 */
@AutoConfiguration
@ConditionalOnExpression("${herald.publish.enabled:false} and ${herald.warmup.enabled:true}")
public class PublishWarmupConfiguration {

    @Bean
    PublishWarmup publishWarmup(WarmupProperties properties, Environment environment, Clock clock) {
        return new PublishWarmup(properties, environment.getProperty("herald.edge.enabled", Boolean.class, false),
                clock);
    }
}
