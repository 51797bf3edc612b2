package io.herald.standalone;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo page and start-up summary of the standalone server ({@code herald.demo.*}).
 *
 * @param enabled whether to serve the demo page at {@code /} and its configuration at
 *        {@code /demo/config}, and print the first app's credentials at start
 * @param channel the channel the demo page subscribes to and the printed commands publish to
 */
@ConfigurationProperties("herald.demo")
public record DemoProperties(@DefaultValue("true") boolean enabled, @DefaultValue("demo") String channel) {
}
