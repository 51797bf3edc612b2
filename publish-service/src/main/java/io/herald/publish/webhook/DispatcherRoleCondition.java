package io.herald.publish.webhook;

import io.herald.publish.config.PublishConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Whether this process runs the webhook dispatcher role: {@code herald.webhooks.dispatcher.enabled}
 * when it is set, else {@code herald.publish.enabled} (false when neither is). The default follows
 * the publish role because the dispatcher used to be part of it: a process that serves the HTTP
 * API and was never told otherwise keeps sending webhooks, while an edge (or any other role) with
 * publish-service's jar on its classpath does not start one.
 */
final class DispatcherRoleCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Environment environment = context.getEnvironment();
        ConditionMessage.Builder message = ConditionMessage.forCondition("Webhook dispatcher role");
        Boolean explicit = environment.getProperty(WebhookDispatcherConfiguration.ENABLED, Boolean.class);
        if (explicit != null) {
            return new ConditionOutcome(explicit,
                    message.because(WebhookDispatcherConfiguration.ENABLED + " is " + explicit));
        }
        boolean publish = environment.getProperty(PublishConfiguration.ENABLED, Boolean.class, false);
        return new ConditionOutcome(publish, message.because(WebhookDispatcherConfiguration.ENABLED
                + " is not set and " + PublishConfiguration.ENABLED + " is " + publish));
    }
}
