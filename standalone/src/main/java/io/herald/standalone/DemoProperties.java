package io.herald.standalone;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo page and start-up summary of the standalone server ({@code herald.demo.*}).
 *
 * <p>The demo app is the configured app ({@code herald.apps}) with exactly the demo's id, key and
 * secret: the built-in one of the standalone's {@code application.yml}, whose credentials come from
 * these properties ({@code HERALD_DEMO_APP_ID}, {@code HERALD_DEMO_KEY}, {@code HERALD_DEMO_SECRET}).
 * Only its secret is ever printed; apps of an operator's own {@code herald.apps} list are shown by
 * id and key.
 *
 * @param enabled whether to serve the demo page at {@code /} and its configuration at
 *        {@code /demo/config}, and print a start-up summary (the demo app's credentials, the other
 *        apps' ids and keys)
 * @param channel the channel the demo page subscribes to and the printed commands publish to
 * @param appId the demo app's id
 * @param key the demo app's key
 * @param secret the demo app's secret; change it before exposing the server
 * @param dashboardPassword the password of the demo tenant's user {@code demo} on the dashboard
 *        ({@code /dashboard/}); empty: a new one is generated at each start and printed in the
 *        start-up summary
 */
@ConfigurationProperties("herald.demo")
public record DemoProperties(@DefaultValue("true") boolean enabled, @DefaultValue("demo") String channel,
        @DefaultValue("demo-app") String appId, @DefaultValue("demo-key") String key,
        @DefaultValue("demo-secret") String secret, @DefaultValue("") String dashboardPassword) {

    @Override
    public String toString() {
        return "DemoProperties[enabled=" + enabled + ", channel=" + channel + ", appId=" + appId + ", key=" + key
                + ", secret=(set), dashboardPassword=(hidden)]";
    }
}
