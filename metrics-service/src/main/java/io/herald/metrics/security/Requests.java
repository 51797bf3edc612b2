package io.herald.metrics.security;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.server.reactive.ServerHttpRequest;

/** What a request says about its transport and its client, as seen through the gateway. */
public final class Requests {

    /**
     * The default trusted proxies: loopback and private addresses (as Tomcat's
     * {@code RemoteIpValve}), where a gateway or load balancer of the same cluster sits.
     */
    public static final String PRIVATE_ADDRESSES = "127\\..*|10\\..*|192\\.168\\..*|172\\.(1[6-9]|2[0-9]|3[01])\\..*"
            + "|0:0:0:0:0:0:0:1|::1|f[cd][0-9a-f]{2}:.*";

    private Requests() {
    }

    /**
     * Whether the request reached Herald over TLS: its own connection, or a proxy in front that says
     * so ({@code X-Forwarded-Proto: https}, {@code Forwarded: proto=https}). Only used to mark
     * cookies {@code Secure}, so believing a forged header costs the forger its own session, nothing
     * else.
     */
    public static boolean overTls(ServerHttpRequest request) {
        if (request.getSslInfo() != null || "https".equalsIgnoreCase(request.getURI().getScheme())) {
            return true;
        }
        String proto = request.getHeaders().getFirst("X-Forwarded-Proto");
        if (proto != null && proto.split(",")[0].trim().equalsIgnoreCase("https")) {
            return true;
        }
        String forwarded = request.getHeaders().getFirst("Forwarded");
        return forwarded != null && forwarded.toLowerCase(java.util.Locale.ROOT).split(",")[0].contains("proto=https");
    }

    /**
     * The client's address: the peer's, unless the peer is a trusted proxy — then the last
     * {@code X-Forwarded-For} entry that is not a trusted proxy (the gateway appends the address it
     * saw, so entries a client forged sit further left and are never taken).
     */
    public static String clientAddress(ServerHttpRequest request, Pattern trustedProxies) {
        InetSocketAddress remote = request.getRemoteAddress();
        String peer = remote == null ? "unknown"
                : remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
        if (!trustedProxies.matcher(peer).matches()) {
            return peer;
        }
        List<String> headers = request.getHeaders().get("X-Forwarded-For");
        if (headers == null || headers.isEmpty()) {
            return peer;
        }
        String[] hops = String.join(",", headers).split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!hop.isEmpty() && !trustedProxies.matcher(hop).matches()) {
                return hop.length() > 64 ? hop.substring(0, 64) : hop;
            }
        }
        return peer;
    }
}
