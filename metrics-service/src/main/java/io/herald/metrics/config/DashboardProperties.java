package io.herald.metrics.config;

import io.herald.metrics.security.Requests;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Sign-in to the dashboard and the usage API on metrics-service ({@code herald.dashboard.*}).
 *
 * @param sessionTimeout how long a signed-in session lasts without a request
 * @param maxSessions the most sessions kept in memory (without a state Redis); beyond it the ones
 *        idle longest end
 * @param maxFailuresPerUser failed sign-ins for one username within {@code failureWindow} after
 *        which sign-in for it is refused (429) until the window ends
 * @param maxFailuresPerAddress failed sign-ins from one client address within {@code failureWindow}
 *        after which sign-in from it is refused (429) until the window ends
 * @param failureWindow the window of both limits, from the first failure
 * @param trustedProxies a Java regular expression of the peer addresses whose
 *        {@code X-Forwarded-For} is believed for the client address (default: loopback and
 *        private addresses, where the gateway runs); set it to the gateway's addresses when
 *        clients could reach metrics-service from such addresses directly
 */
@ConfigurationProperties("herald.dashboard")
public record DashboardProperties(
        @DefaultValue("30m") Duration sessionTimeout,
        @DefaultValue("100000") int maxSessions,
        @DefaultValue("5") int maxFailuresPerUser,
        @DefaultValue("20") int maxFailuresPerAddress,
        @DefaultValue("15m") Duration failureWindow,
        @DefaultValue(Requests.PRIVATE_ADDRESSES) String trustedProxies) {

    public DashboardProperties {
        List<String> problems = new ArrayList<>();
        if (sessionTimeout == null || sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            problems.add("herald.dashboard.session-timeout must be positive");
        }
        if (failureWindow == null || failureWindow.isNegative() || failureWindow.isZero()) {
            problems.add("herald.dashboard.failure-window must be positive");
        }
        if (maxSessions < 1 || maxFailuresPerUser < 1 || maxFailuresPerAddress < 1) {
            problems.add("herald.dashboard.max-sessions, max-failures-per-user and max-failures-per-address must be "
                    + "at least 1");
        }
        try {
            Pattern.compile(trustedProxies);
        }
        catch (PatternSyntaxException ex) {
            problems.add("herald.dashboard.trusted-proxies must be a regular expression");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid dashboard configuration: " + String.join("; ", problems));
        }
    }

    public Pattern trustedProxiesPattern() {
        return Pattern.compile(trustedProxies);
    }
}
