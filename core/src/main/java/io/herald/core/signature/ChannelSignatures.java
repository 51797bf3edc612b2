package io.herald.core.signature;

/**
 * The strings Pusher signs to authorize a channel subscription or authenticate a user, and
 * their {@code key:signature} tokens.
 */
public final class ChannelSignatures {

    private ChannelSignatures() {
    }

    /** {@code socket_id:channel} for private channels, {@code socket_id:channel:channel_data} for presence. */
    public static String channelStringToSign(String socketId, String channel, String channelData) {
        return channelData == null ? socketId + ":" + channel : socketId + ":" + channel + ":" + channelData;
    }

    /** {@code socket_id::user::user_data} for user authentication. */
    public static String userStringToSign(String socketId, String userData) {
        return socketId + "::user::" + userData;
    }

    /** The {@code auth} token a tenant's server returns: {@code key:hex(hmac)}. */
    public static String token(String key, String secret, String stringToSign) {
        return key + ":" + Hmac.sha256Hex(secret, stringToSign);
    }

    /** Checks an {@code auth} token in constant time. */
    public static boolean verify(String key, String secret, String stringToSign, String auth) {
        return Hmac.constantTimeEquals(token(key, secret, stringToSign), auth);
    }
}
