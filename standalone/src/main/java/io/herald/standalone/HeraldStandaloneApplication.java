package io.herald.standalone;

import io.herald.edge.config.EdgeConfiguration;
import io.herald.publish.config.PublishConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Herald in one process: the edge (WebSocket) and the publish API (HTTP) on one port, sharing
 * one broker. Without {@code herald.redis.shards} the broker is in memory and the server needs
 * nothing else; with shards it is one node of a cluster.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({ EdgeConfiguration.class, PublishConfiguration.class, DemoConfiguration.class })
@EnableConfigurationProperties(DemoProperties.class)
public class HeraldStandaloneApplication {

    public static void main(String[] args) {
        SpringApplication.run(HeraldStandaloneApplication.class, args);
    }
}
