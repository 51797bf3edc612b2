package io.herald.core.warmup;

import io.herald.core.app.AppStore;
import io.herald.core.metrics.HeraldMeters;
import io.herald.core.usage.UsageCounter;
import io.herald.core.usage.UsageSink;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigureOrder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The start-up warm-up ({@link StartupWarmup}), on with the edge or the publish role unless
 * {@code herald.warmup.enabled=false}; each role's module declares the {@link WarmupTask} of the
 * path it serves ({@code edge.warmup}, {@code publish.warmup}), so a standalone server warms both
 * and a cluster node what it serves.
 *
 * <p>Keeps the internal {@link WarmupApp} out of sight: the {@code appStore} bean is wrapped so
 * that it knows the app only while the warm-up runs, meters tagged with its id are denied, and
 * the usage sink the services count into drops its counts. Ordered last among the
 * auto-configurations, so that the usage counter it wraps is already defined.
 */
@AutoConfiguration
@AutoConfigureOrder(Ordered.LOWEST_PRECEDENCE)
@ConditionalOnExpression(WarmupConfiguration.ENABLED)
@EnableConfigurationProperties(WarmupProperties.class)
public class WarmupConfiguration {

    /** When the warm-up runs: with a role that serves clients, unless turned off. */
    public static final String ENABLED = "(${herald.edge.enabled:false} or ${herald.publish.enabled:false}) "
            + "and ${herald.warmup.enabled:true}";

    /** The bean that is wrapped: the {@code @Primary} app store every role looks apps up in. */
    static final String APP_STORE_BEAN = "appStore";

    @Bean
    static WarmupApp warmupApp() {
        return new WarmupApp();
    }

    @Bean
    static BeanPostProcessor warmupAppStorePostProcessor(ObjectProvider<WarmupApp> app) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof AppStore store && APP_STORE_BEAN.equals(beanName)
                        ? new WarmupAppStore(store, app.getObject()) : bean;
            }
        };
    }

    /** First of the meter filters, so that the warm-up app takes no place under the {@code app_id} cardinality limit. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    MeterFilter warmupMeterFilter(WarmupApp app) {
        return MeterFilter.deny(id -> app.isWarmupApp(id.getTag(HeraldMeters.APP_ID)));
    }

    @Bean
    @Primary
    @ConditionalOnBean(UsageCounter.class)
    UsageSink warmupUsageFilter(UsageCounter counter, WarmupApp app) {
        return new WarmupUsageFilter(counter, app);
    }

    @Bean
    StartupWarmup startupWarmup(WarmupApp app, ObjectProvider<WarmupTask> tasks, WarmupProperties properties) {
        return new StartupWarmup(app, tasks.orderedStream().toList(), properties);
    }
}
