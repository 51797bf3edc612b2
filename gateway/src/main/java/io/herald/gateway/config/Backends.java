package io.herald.gateway.config;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import reactor.core.publisher.Flux;

/**
 * The instances of each Herald service, from {@code herald.gateway.*}, as a discovery client, so
 * that Spring Cloud LoadBalancer spreads each route's requests over them ({@code lb://herald-edge},
 * …) and its health checks take an instance that is down out of the rotation. A static list:
 * Kubernetes service DNS (or a discovery server) can replace this bean later.
 */
public final class Backends implements ReactiveDiscoveryClient {

    /** Service ids, as used in the routes' {@code lb://} URIs. */
    public static final String EDGE = "herald-edge";
    public static final String PUBLISH = "herald-publish";
    public static final String AUTH = "herald-auth";
    public static final String METRICS = "herald-metrics";

    private final Map<String, List<ServiceInstance>> instances = new LinkedHashMap<>();

    public Backends(GatewayProperties properties) {
        Objects.requireNonNull(properties, "properties");
        instances.put(EDGE, instances(EDGE, properties.edges()));
        instances.put(PUBLISH, instances(PUBLISH, properties.publishers()));
        instances.put(AUTH, instances(AUTH, properties.auth()));
        instances.put(METRICS, instances(METRICS, properties.metrics()));
    }

    private static List<ServiceInstance> instances(String serviceId, List<URI> uris) {
        return uris.stream().map(uri -> {
            boolean secure = "https".equals(uri.getScheme());
            int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
            return (ServiceInstance) new DefaultServiceInstance(serviceId + "-" + uri.getHost() + "-" + port,
                    serviceId, uri.getHost(), port, secure);
        }).toList();
    }

    @Override
    public String description() {
        return "Herald services from herald.gateway.*";
    }

    @Override
    public Flux<ServiceInstance> getInstances(String serviceId) {
        return Flux.fromIterable(instances.getOrDefault(serviceId, List.of()));
    }

    @Override
    public Flux<String> getServices() {
        return Flux.fromIterable(instances.keySet());
    }
}
