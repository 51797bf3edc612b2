package io.herald.standalone;

import io.herald.core.app.AppsProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Herald in one process, on one port: every role — the edge (WebSocket), the publish API (HTTP),
 * the webhook dispatcher, auth-service's admin API and rate-limit-service's lease API (in memory) —
 * plus the demo page. The roles are Spring Boot auto-configurations on the classpath; the
 * standalone's {@code application.yml} switches them all on ({@code herald.<role>.enabled}), and any of them can be switched off. Without
 * {@code herald.redis.shards} the broker is in memory and the server needs nothing else; with
 * shards it is one node of a cluster. The admin API needs {@code herald.auth.admin-token}; without
 * it, it is off (403). With every role off it is a demo page server only (docs/deploy.md, "Compose").
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(DemoConfiguration.class)
// AppsProperties too: with every role switched off the standalone serves only the demo page (the
// compose file's demo service), and no role's configuration enables it then.
@EnableConfigurationProperties({ DemoProperties.class, AppsProperties.class })
public class HeraldStandaloneApplication {

    public static void main(String[] args) {
        SpringApplication.run(HeraldStandaloneApplication.class, args);
    }
}
