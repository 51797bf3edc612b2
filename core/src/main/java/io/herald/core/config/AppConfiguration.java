package io.herald.core.config;

import io.herald.core.app.AppStore;
import io.herald.core.app.AppsProperties;
import io.herald.core.app.StaticAppStore;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.auth.LocalAuthVerifier;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The app store and the signature verifier. */
@Configuration(proxyBeanMethods = false)
public class AppConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public AppStore appStore(AppsProperties apps) {
        return new StaticAppStore(apps.toApps());
    }

    @Bean
    @ConditionalOnMissingBean
    public AuthVerifier authVerifier(AppStore apps, Clock clock) {
        return new LocalAuthVerifier(apps, clock);
    }
}
