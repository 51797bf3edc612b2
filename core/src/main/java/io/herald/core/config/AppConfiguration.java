package io.herald.core.config;

import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.app.AppsProperties;
import io.herald.core.app.CachingAppStore;
import io.herald.core.app.StaticAppStore;
import io.herald.core.app.redis.AppRecoveryProperties;
import io.herald.core.app.redis.RedisAppStore;
import io.herald.core.auth.AuthProperties;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.auth.LocalAuthVerifier;
import io.herald.core.auth.http.AuthServiceClient;
import io.herald.core.auth.http.HttpAppStore;
import io.herald.core.auth.http.HttpAuthVerifier;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.redis.RedisConnections;
import io.herald.core.redis.RedisProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * The app store and the signature verifier, chosen by what is configured:
 * <ol>
 * <li>{@code herald.auth.url} set (an edge in a cluster): apps from auth-service
 * ({@link HttpAppStore}, the public view, never a secret) cached by {@link CachingAppStore}, and
 * signatures verified by auth-service ({@link HttpAuthVerifier}); both through one
 * {@link AuthServiceClient} (timeout, circuit breaker).</li>
 * <li>else {@code herald.redis.state} set: the {@link AppRegistry} bean is a {@link RedisAppStore}
 * seeded with the apps of {@code herald.apps} that it does not have yet (by id; apps already
 * stored are kept as they are, so changes made through the admin API survive restarts, and a
 * seeded app deleted through the admin API comes back at the next start as long as it is still
 * configured), and watched for the loss of everything ({@link RedisAppStore#watch}, the seed
 * written again); the {@code AppStore} is that registry behind a {@link CachingAppStore}; signatures
 * are verified locally ({@link LocalAuthVerifier}).</li>
 * <li>else: {@link StaticAppStore} over {@code herald.apps} and {@link LocalAuthVerifier}, as the
 * standalone server always had.</li>
 * </ol>
 * If an {@link AppRegistry} bean is declared before this configuration (auth-service's in-memory
 * registry), the {@code AppStore} caches it as in case 2.
 *
 * <p>The {@code AppStore} bean is {@code @Primary}: the registry is an {@code AppStore} too, and
 * code that asks for an {@code AppStore} must get the cached one.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ AuthProperties.class, AppRecoveryProperties.class })
public class AppConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AppConfiguration.class);

    /** How long seeding the state Redis at start may take. */
    private static final Duration SEED_TIMEOUT = Duration.ofSeconds(30);

    @Bean
    @ConditionalOnMissingBean(AppRegistry.class)
    @ConditionalOnExpression("'${herald.redis.state:}' != '' and '${herald.auth.url:}' == ''")
    public RedisAppStore redisAppRegistry(RedisConnections redis, AppsProperties apps,
            AppRecoveryProperties recovery) {
        RedisAppStore store = new RedisAppStore(redis);
        try {
            Integer seeded = store.seed(apps.toApps()).block(SEED_TIMEOUT);
            log.info("Apps in the state Redis {} ({} seeded from herald.apps)", redis.state(), seeded);
            // A state Redis that comes back empty gets the seed again, without a restart of this service.
            store.watch(recovery.checkInterval(), recovery.lossGrace());
        }
        catch (RuntimeException ex) {
            store.close();
            throw ex;
        }
        return store;
    }

    @Bean
    @ConditionalOnMissingBean(name = "authServiceClient")
    @ConditionalOnExpression("'${herald.auth.url:}' != ''")
    public AuthServiceClient authServiceClient(AuthProperties auth, AppsProperties apps, RedisProperties redis) {
        log.info("Apps and signature verification from auth-service at {}", auth.url());
        // Possible, but probably not meant: say so once at start rather than lose things quietly.
        if (!apps.toApps().isEmpty()) {
            log.warn("herald.apps is ignored on this node: with herald.auth.url its apps come from auth-service "
                    + "(seed apps there, or in the state Redis it reads)");
        }
        if (redis.state() == null) {
            log.warn("herald.auth.url without herald.redis.state: webhooks raised on this node have no dispatcher "
                    + "to reach and are dropped; set herald.redis.state to the Redis the webhook dispatchers read");
        }
        return new AuthServiceClient(auth);
    }

    /** Once the service is up: {@link AuthServiceClient#probe()}, logged; never fails the start. */
    @Bean
    @ConditionalOnExpression("'${herald.auth.url:}' != ''")
    public ApplicationListener<ApplicationReadyEvent> authServiceProbe(AuthServiceClient client, AuthProperties auth) {
        return ready -> client.probe().subscribe(
                null,
                ex -> log.warn("{} (signed subscriptions and new connections fail until it does)", ex.getMessage()),
                () -> log.info("auth-service at {} answers", auth.url()));
    }

    @Bean
    @Primary
    @ConditionalOnMissingBean(value = AppStore.class, ignored = AppRegistry.class)
    public AppStore appStore(AppsProperties apps, AuthProperties auth, Clock clock,
            ObjectProvider<AuthServiceClient> authService, ObjectProvider<AppRegistry> registry,
            ObjectProvider<MeterRegistry> meters) {
        AuthServiceClient client = authService.getIfAvailable();
        AppRegistry local = registry.getIfAvailable();
        if (client == null && local == null) {
            return new StaticAppStore(apps.toApps());
        }
        CachingAppStore cache = new CachingAppStore(client != null ? new HttpAppStore(client) : local,
                auth.cacheTtl(), auth.maxStaleness(), clock);
        MeterRegistry registered = meters.getIfAvailable();
        if (registered != null) {
            Gauge.builder(HeraldMeters.APPS_STALE.meterName(), cache, CachingAppStore::staleApps)
                    .description("Apps served from their last known view because the app store cannot be reached")
                    .register(registered);
            Gauge.builder(HeraldMeters.APPS_STALE_AGE.meterName(), cache,
                    c -> c.oldestStaleAge().toMillis() / 1000.0)
                    .description("Age of the oldest last known view of an app being served")
                    .baseUnit("seconds")
                    .register(registered);
        }
        return cache;
    }

    @Bean
    @ConditionalOnMissingBean
    public AuthVerifier authVerifier(AppStore apps, Clock clock, ObjectProvider<AuthServiceClient> authService) {
        AuthServiceClient client = authService.getIfAvailable();
        return client != null ? new HttpAuthVerifier(client) : new LocalAuthVerifier(apps, clock);
    }

}
