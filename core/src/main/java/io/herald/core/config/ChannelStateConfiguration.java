package io.herald.core.config;

import org.springframework.context.annotation.Configuration;

/** Cluster-wide channel state (occupancy, presence) and the cache-channel store. */
@Configuration(proxyBeanMethods = false)
public class ChannelStateConfiguration {
}
