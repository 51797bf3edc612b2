package io.herald.standalone;

import io.herald.core.app.App;
import io.herald.core.app.AppsProperties;
import io.herald.core.signature.Hmac;
import io.herald.core.signature.RequestSignature;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import io.herald.core.tenant.TenantPasswords;
import io.herald.core.tenant.TenantStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The demo: a page at {@code /} that connects with pusher-js and shows events as they arrive,
 * {@code /demo/config} with what the page needs (never the secret), and a start-up summary
 * with the demo app's credentials and a ready-to-run, freshly signed {@code curl} command.
 *
 * <p>With the metrics role on, also a demo tenant owning the demo app ({@link DemoTenant}), whose
 * user's dashboard password is in the summary.
 *
 * <p>All of it is about the built-in demo app only ({@link #demoApp}): apps from the operator's
 * own configuration are listed by id and key, their secrets are never printed, and the demo page
 * has no app to show ({@code /demo/config} is 404).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "herald.demo", name = "enabled", havingValue = "true", matchIfMissing = true)
public class DemoConfiguration {

    static final String DEFAULT_SECRET = "demo-secret";

    /** A summary is for reading: beyond this many apps it says how many more there are. */
    static final int MAX_LISTED_APPS = 10;

    @Bean
    public RouterFunction<ServerResponse> demoRoutes(AppsProperties apps, DemoProperties demo,
            ObjectProvider<Clock> clocks) {
        // The roles' shared configuration declares the clock; with every role off there is none.
        Clock clock = clocks.getIfAvailable(Clock::systemUTC);
        return RouterFunctions.route()
                .GET("/demo/config", request -> {
                    App app = demoApp(apps.toApps(), demo);
                    if (app == null) {
                        return ServerResponse.notFound().build();
                    }
                    String origin = request.uri().getScheme() + "://" + request.uri().getAuthority();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("appId", app.id());
                    body.put("key", app.key());
                    body.put("channel", demo.channel());
                    body.put("curl", curl(app, origin, demo.channel(), clock));
                    return ServerResponse.ok().bodyValue(body);
                })
                .build();
    }

    /** The demo tenant, when the demo app and the dashboard (the metrics role) are both here. */
    @Bean
    DemoTenant demoTenant(AppsProperties apps, DemoProperties demo, ObjectProvider<TenantStore> tenants,
            ObjectProvider<TenantPasswords> passwords, Environment environment) {
        if (!environment.getProperty("herald.metrics.enabled", Boolean.class, false)) {
            return DemoTenant.NONE;
        }
        return DemoTenant.seed(demoApp(apps.toApps(), demo), demo, tenants.getIfAvailable(),
                passwords.getIfAvailable());
    }

    @Bean
    public ApplicationListener<ApplicationReadyEvent> demoSummary(AppsProperties apps, DemoProperties demo,
            DemoTenant tenant, ObjectProvider<Clock> clocks, Environment environment) {
        Clock clock = clocks.getIfAvailable(Clock::systemUTC);
        return event -> {
            String port = environment.getProperty("local.server.port", "6001");
            // Printed, not logged: the operator asked for the demo credentials; logs never carry secrets.
            System.out.println(summary(apps.toApps(), demo, tenant, "http://localhost:" + port, clock));
        };
    }

    /**
     * The start-up summary. Only the demo app's secret is in it (and a request signed with it):
     * the secrets of apps from an operator's configuration are never printed, since a container
     * ships what it prints to its logs.
     */
    static String summary(List<App> apps, DemoProperties demo, DemoTenant tenant, String origin, Clock clock) {
        App app = demoApp(apps, demo);
        StringBuilder out = new StringBuilder("\n");
        out.append("  Herald is running: ").append(origin).append(app != null ? "/  (demo page)\n" : "/\n");
        if (app != null) {
            out.append("  Demo app   id: ").append(app.id()).append("   key: ").append(app.key())
                    .append("   secret: ").append(app.secret()).append('\n');
            out.append("  WebSocket  ").append(origin.replaceFirst("^http", "ws")).append("/app/").append(app.key())
                    .append("?protocol=7\n");
            out.append("  Trigger an event (signed now, valid for 10 minutes):\n    ")
                    .append(curl(app, origin, demo.channel(), clock)).append('\n');
            if (tenant.password() != null) {
                out.append("  Dashboard  ").append(origin).append("/dashboard/   user: ").append(DemoTenant.USERNAME)
                        .append("   password: ").append(tenant.password())
                        .append(tenant.generated() ? "   (new at each start; set HERALD_DEMO_DASHBOARD_PASSWORD "
                                + "to keep one)\n" : "\n");
            }
            if (DEFAULT_SECRET.equals(app.secret())) {
                out.append("  The demo secret is the default one: set HERALD_DEMO_SECRET before exposing "
                        + "this server.\n");
            }
        }
        List<App> configured = apps.stream().filter(other -> other != app).toList();
        for (App other : configured.subList(0, Math.min(configured.size(), MAX_LISTED_APPS))) {
            out.append("  App        id: ").append(other.id()).append("   key: ").append(other.key()).append('\n');
        }
        if (configured.size() > MAX_LISTED_APPS) {
            out.append("  ... and ").append(configured.size() - MAX_LISTED_APPS).append(" more apps\n");
        }
        if (app == null && !configured.isEmpty()) {
            out.append("  WebSocket  ").append(origin.replaceFirst("^http", "ws"))
                    .append("/app/<key>?protocol=7   (secrets of configured apps are not shown)\n");
        }
        return out.toString();
    }

    /**
     * The demo app: the configured app with the demo's id, key and secret ({@code herald.demo.*},
     * which the built-in app list uses), or {@code null} when the operator's own apps replaced it.
     */
    static App demoApp(List<App> apps, DemoProperties demo) {
        return apps.stream()
                .filter(app -> app.id().equals(demo.appId()) && app.key().equals(demo.key())
                        && app.secret().equals(demo.secret()))
                .findFirst().orElse(null);
    }

    /** A complete, signed {@code curl} that publishes a "hello" event to the demo channel. */
    static String curl(App app, String origin, String channel, Clock clock) {
        String body = "{\"name\":\"hello\",\"channel\":\"" + channel
                + "\",\"data\":\"{\\\"message\\\":\\\"Hello from curl\\\"}\"}";
        String path = "/apps/" + app.id() + "/events";
        Map<String, String> params = new TreeMap<>();
        params.put("auth_key", app.key());
        params.put("auth_timestamp", String.valueOf(clock.instant().getEpochSecond()));
        params.put("auth_version", "1.0");
        params.put("body_md5", Hmac.md5Hex(body.getBytes(StandardCharsets.UTF_8)));
        params.put("auth_signature", RequestSignature.sign(app.secret(), "POST", path, params));
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.isEmpty() ? "?" : "&").append(k).append('=').append(v));
        return "curl -H 'Content-Type: application/json' -d '" + body + "' '" + origin + path + query + "'";
    }
}
