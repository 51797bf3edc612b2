package io.herald.metrics.config;

import io.herald.core.app.AppStore;
import io.herald.core.state.ChannelState;
import io.herald.core.usage.UsageStore;
import io.herald.core.web.ApiErrorResponses;
import io.herald.core.webhook.WebhookFailureLog;
import io.herald.metrics.security.AppAccess;
import io.herald.metrics.web.DashboardHandler;
import java.net.URI;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The dashboard of the metrics role: the page {@code /dashboard/}, its assets
 * {@code /dashboard/assets/**} (with the charting library from its WebJar, so nothing is loaded
 * from a CDN), and its data, {@code /dashboard/api/apps} and {@code /dashboard/api/apps/{app_id}/summary}.
 * All under {@code /dashboard/**}, the paths the gateway routes to metrics-service. Who may read
 * which app is {@link AppAccess}'s answer; who may load the page itself is the security in front
 * of it (sign-in), the page holds no data.
 */
@AutoConfiguration(after = MetricsConfiguration.class)
@ConditionalOnBooleanProperty(MetricsConfiguration.ENABLED)
public class DashboardConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DashboardConfiguration.class);

    /** The version of the chart.js WebJar (the root pom's {@code chartjs.version}). */
    public static final String CHART_JS = "4.4.1";

    /** Where the page and its own assets are, on the classpath. */
    static final String PAGE = "io/herald/metrics/dashboard/";

    @Bean
    @ConditionalOnMissingBean
    public DashboardHandler dashboardHandler(AppAccess access, AppStore apps, UsageStore usage, ChannelState channels,
            WebhookFailureLog failures, Clock clock) {
        return new DashboardHandler(access, apps, usage, channels, failures, clock);
    }

    /** The data endpoints, answering errors as every Herald API does. */
    @Bean
    @ConditionalOnMissingBean(name = "dashboardApiRoutes")
    public RouterFunction<ServerResponse> dashboardApiRoutes(DashboardHandler handler) {
        ApiErrorResponses errors = new ApiErrorResponses(log, status -> {
        });
        return RouterFunctions.route()
                .GET("/dashboard/api/apps", handler::apps)
                .GET("/dashboard/api/apps/{app_id}/summary", handler::summary)
                .filter(errors::filter)
                .build();
    }

    /** The page and its assets. */
    @Bean
    @ConditionalOnMissingBean(name = "dashboardPageRoutes")
    public RouterFunction<ServerResponse> dashboardPageRoutes() {
        ClassPathResource index = new ClassPathResource(PAGE + "index.html");
        return RouterFunctions.route()
                .GET("/dashboard", request -> ServerResponse.permanentRedirect(URI.create("/dashboard/")).build())
                .GET("/dashboard/", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .cacheControl(CacheControl.noCache()).bodyValue(index))
                .build()
                .and(RouterFunctions.resources("/dashboard/assets/vendor/chart.js/**",
                        new ClassPathResource("META-INF/resources/webjars/chart.js/" + CHART_JS + "/dist/")))
                .and(RouterFunctions.resources("/dashboard/assets/**", new ClassPathResource(PAGE + "assets/")));
    }
}
