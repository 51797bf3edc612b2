package io.herald.edge;

import java.util.UUID;

/** The id of this edge node in the cluster-wide channel state; new on every start. */
public record EdgeNodeId(String value) {

    public static EdgeNodeId generate() {
        return new EdgeNodeId("edge-" + UUID.randomUUID().toString().substring(0, 13));
    }
}
