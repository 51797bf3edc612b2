package io.herald.edge;

import io.herald.core.protocol.PusherCodec;
import io.herald.core.signature.ChannelSignatures;

/** Frames a client sends, written out for raw-protocol tests. */
final class TestFrames {

    private TestFrames() {
    }

    static String subscribe(String channel) {
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    static String unsubscribe(String channel) {
        return "{\"event\":\"pusher:unsubscribe\",\"data\":{\"channel\":\"" + channel + "\"}}";
    }

    /** A presence subscribe for {@code userId}, signed with the app's key and secret as its server would. */
    static String subscribePresence(String key, String secret, String socketId, String channel, String userId) {
        String data = "{\"user_id\":\"" + userId + "\"}";
        String auth = ChannelSignatures.token(key, secret, ChannelSignatures.channelStringToSign(socketId, channel, data));
        return "{\"event\":\"pusher:subscribe\",\"data\":{\"channel\":\"" + channel + "\",\"auth\":\"" + auth
                + "\",\"channel_data\":" + PusherCodec.json().writeValueAsString(data) + "}}";
    }

    static String ping() {
        return "{\"event\":\"pusher:ping\",\"data\":{}}";
    }
}
