package io.herald.core.config;

import io.herald.core.redis.RedisConnections;
import io.herald.core.tenant.InMemoryTenantStore;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import io.herald.core.tenant.redis.RedisTenantStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tenants, for the roles that need them (auth-service writes them, metrics-service signs their
 * users in); imported by those roles' configurations, not by {@link HeraldCoreConfiguration}, so
 * edges and publish nodes open no connection for them. The {@link TenantStore} is a
 * {@link RedisTenantStore} on the state Redis when {@code herald.redis.state} is set, else an
 * {@link InMemoryTenantStore} (one process: the standalone server). In one process the roles share
 * the one store. Both beans can be replaced.
 */
@Configuration(proxyBeanMethods = false)
public class TenantCoreConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TenantCoreConfiguration.class);

    /** Closed by Spring's inferred destroy method when it has one (the Redis store). */
    @Bean
    @ConditionalOnMissingBean
    public TenantStore tenantStore(RedisConnections redis) {
        if (redis.properties().state() != null) {
            log.info("Tenants: on the state Redis ({}tenant*)", redis.keyPrefix());
            return new RedisTenantStore(redis);
        }
        log.info("Tenants: in memory (no herald.redis.state; single process only, lost at restart)");
        return new InMemoryTenantStore();
    }

    @Bean
    @ConditionalOnMissingBean
    public TenantPasswords tenantPasswords() {
        return new TenantPasswords();
    }
}
