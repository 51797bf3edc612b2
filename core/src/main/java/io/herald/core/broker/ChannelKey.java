package io.herald.core.broker;

import java.util.Objects;

/**
 * A channel of one app: the unit of routing, subscription and fan-out. Channels of different
 * apps never meet, even when their names are equal.
 */
public record ChannelKey(String appId, String channel) {

    public ChannelKey {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(channel, "channel");
    }

    @Override
    public String toString() {
        return appId + ":" + channel;
    }
}
