package io.herald.edge.warmup;

import io.herald.core.warmup.WarmupConfiguration;
import io.herald.core.warmup.WarmupProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;

/**
 * The edge's part of the start-up warm-up ({@link WarmupConfiguration}): the handshake and
 * subscribe path, with the edge role unless {@code herald.warmup.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnExpression("${herald.edge.enabled:false} and ${herald.warmup.enabled:true}")
public class EdgeWarmupConfiguration {

    @Bean
    HandshakeWarmup handshakeWarmup(WarmupProperties properties) {
        return new HandshakeWarmup(properties);
    }
}
