package io.herald.metrics.config;

import io.herald.core.app.AppStore;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugProperties;
import io.herald.core.web.ApiErrorResponses;
import io.herald.metrics.console.ConsoleHandler;
import io.herald.metrics.security.AppAccess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The live debug console's stream, {@code GET /dashboard/api/apps/{app_id}/console}, part of the
 * metrics role: it watches the shared {@link DebugConsole} (in memory in the standalone server,
 * the state Redis in a cluster) and asks {@link AppAccess} first. After {@link MetricsConfiguration},
 * which declares the default {@link AppAccess}.
 */
@AutoConfiguration(after = MetricsConfiguration.class)
@ConditionalOnBooleanProperty(MetricsConfiguration.ENABLED)
@Import(HeraldCoreConfiguration.class)
public class ConsoleConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ConsoleConfiguration.class);

    /** The console's path. */
    public static final String PATH = "/dashboard/api/apps/{app_id}/console";

    @Bean
    @ConditionalOnMissingBean(name = "consoleRoutes")
    public RouterFunction<ServerResponse> consoleRoutes(DebugConsole console, AppAccess access,
            AppStore apps, DebugProperties properties) {
        ConsoleHandler handler = new ConsoleHandler(console, access, apps, properties.heartbeatInterval());
        ApiErrorResponses errors = new ApiErrorResponses(log, status -> {
        });
        return RouterFunctions.route()
                .GET(PATH, handler::console)
                .filter(errors::filter)
                .build();
    }
}
