package io.herald.core.config;

import java.util.Objects;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertyResolver;

/**
 * The start-up check of a role that verifies or signs with the apps' secrets itself
 * (publish-service: HTTP API request signatures and webhook signatures; so the standalone server
 * too, which includes it). It refuses {@code herald.auth.url}: with it, {@link AppConfiguration}
 * reads apps from auth-service, which gives out only their public view, without secrets, and
 * every signed request would fail (it did, with a 500 each).
 *
 * <p>Verifying through auth-service instead is not offered: publish-service is not
 * internet-facing, and checking signatures locally keeps a network call off the publish path
 * (DESIGN.md, "Channel authorization and secrets"). The edge is the role for
 * {@code herald.auth.url}.
 *
 * <p>A {@link BeanFactoryPostProcessor}, so the refusal comes before any bean is created: nothing
 * connects or starts first. It reads the property as {@link AppConfiguration}'s conditions do
 * (set and not empty).
 */
public final class AppSecretsRequired implements BeanFactoryPostProcessor, EnvironmentAware {

    static final String AUTH_URL = "herald.auth.url";

    private final String role;
    private Environment environment;

    /** @param role what this process serves that needs the secrets, for the message */
    public AppSecretsRequired(String role) {
        this.role = Objects.requireNonNull(role, "role");
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        check(Objects.requireNonNull(environment, "environment"), role);
    }

    /**
     * Refuses {@code herald.auth.url} for {@code role}.
     *
     * @throws ImpossibleConfigurationException when it is set
     */
    public static void check(PropertyResolver properties, String role) {
        String url = properties.getProperty(AUTH_URL);
        if (url == null || url.isEmpty()) {
            return;
        }
        throw new ImpossibleConfigurationException(
                AUTH_URL + " is set, but this process serves " + role + ", which needs the apps' secrets itself "
                        + "(to check request signatures, to sign webhooks). With " + AUTH_URL + " a process reads apps "
                        + "from auth-service, which gives out only their public view, without secrets: every "
                        + "signed request would fail.",
                "Remove " + AUTH_URL + " (and herald.auth.internal-token) from this service's configuration. "
                        + "publish-service reads apps with their secrets from the state Redis (herald.redis.state, "
                        + "the one auth-service uses) or from herald.apps; the standalone server holds its apps "
                        + "itself. " + AUTH_URL + " is for edge-service, which never holds secrets.");
    }
}
