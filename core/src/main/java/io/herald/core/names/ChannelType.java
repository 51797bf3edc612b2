package io.herald.core.names;

/**
 * The kinds of channel Pusher defines, recognised by name prefix. The order of the checks in
 * {@link #of(String)} matters: the longest prefix wins.
 */
public enum ChannelType {

    PUBLIC(false, false, false),
    PRIVATE(true, false, false),
    PRIVATE_ENCRYPTED(true, false, false),
    PRESENCE(true, true, false),
    CACHE(false, false, true),
    PRIVATE_CACHE(true, false, true),
    PRIVATE_ENCRYPTED_CACHE(true, false, true),
    PRESENCE_CACHE(true, true, true);

    private final boolean requiresAuthorization;
    private final boolean presence;
    private final boolean cache;

    ChannelType(boolean requiresAuthorization, boolean presence, boolean cache) {
        this.requiresAuthorization = requiresAuthorization;
        this.presence = presence;
        this.cache = cache;
    }

    /** Private, encrypted and presence channels need a signature from the app's server. */
    public boolean requiresAuthorization() {
        return requiresAuthorization;
    }

    public boolean isPresence() {
        return presence;
    }

    public boolean isCache() {
        return cache;
    }

    public boolean isEncrypted() {
        return this == PRIVATE_ENCRYPTED || this == PRIVATE_ENCRYPTED_CACHE;
    }

    /** The type of a channel, by its prefix; names are not validated here. */
    public static ChannelType of(String channel) {
        if (channel.startsWith("private-encrypted-cache-")) {
            return PRIVATE_ENCRYPTED_CACHE;
        }
        if (channel.startsWith("private-encrypted-")) {
            return PRIVATE_ENCRYPTED;
        }
        if (channel.startsWith("private-cache-")) {
            return PRIVATE_CACHE;
        }
        if (channel.startsWith("private-")) {
            return PRIVATE;
        }
        if (channel.startsWith("presence-cache-")) {
            return PRESENCE_CACHE;
        }
        if (channel.startsWith("presence-")) {
            return PRESENCE;
        }
        if (channel.startsWith("cache-")) {
            return CACHE;
        }
        return PUBLIC;
    }
}
