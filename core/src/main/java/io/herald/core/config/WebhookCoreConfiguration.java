package io.herald.core.config;

import org.springframework.context.annotation.Configuration;

/** The webhook queue producers write to, and the failure log. */
@Configuration(proxyBeanMethods = false)
public class WebhookCoreConfiguration {
}
