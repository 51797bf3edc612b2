package io.herald.core.names;

/**
 * Pusher's rules for channel and event names.
 *
 * <p>Channel names: 1 to {@value #MAX_CHANNEL_NAME_LENGTH} characters (prefix included) from
 * {@code A-Z a-z 0-9 _ - = @ , . ;}. A leading {@code #} is reserved for server channels such
 * as {@code #server-to-user-…} and is rejected here for clients and publishers alike.
 * Event names: 1 to {@value #MAX_EVENT_NAME_LENGTH} characters.
 */
public final class Names {

    /** Pusher's documented maximum channel name length, prefix included. */
    public static final int MAX_CHANNEL_NAME_LENGTH = 164;

    /** The reserved prefix of a signed-in user's own channel. */
    public static final String SERVER_TO_USER_PREFIX = "#server-to-user-";

    /** Pusher's documented maximum event name length. */
    public static final int MAX_EVENT_NAME_LENGTH = 200;

    private Names() {
    }

    /**
     * Why {@code channel} is not a valid channel name, or {@code null} when it is valid.
     * The reason is written for the developer who chose the name.
     */
    public static String channelNameProblem(String channel) {
        if (channel == null || channel.isEmpty()) {
            return "Channel name is missing";
        }
        if (channel.length() > MAX_CHANNEL_NAME_LENGTH) {
            return "Channel name is too long: " + channel.length() + " characters, the limit is "
                    + MAX_CHANNEL_NAME_LENGTH;
        }
        for (int i = 0; i < channel.length(); i++) {
            if (!isChannelChar(channel.charAt(i))) {
                return "Channel name contains an invalid character at index " + i
                        + "; allowed are A-Z a-z 0-9 _ - = @ , . ;";
            }
        }
        return null;
    }

    /**
     * Why {@code channel} cannot be published to, or {@code null}: every valid channel name, and
     * also a user's {@code #server-to-user-{userId}} channel (server-to-user events), where the
     * user id follows the channel name rules.
     */
    public static String publishChannelNameProblem(String channel) {
        if (channel != null && channel.startsWith(SERVER_TO_USER_PREFIX)) {
            String problem = channelNameProblem(channel.substring(SERVER_TO_USER_PREFIX.length()));
            return problem == null ? null : "Invalid user id in " + SERVER_TO_USER_PREFIX + "{user_id}: " + problem;
        }
        return channelNameProblem(channel);
    }

    public static boolean isValidChannelName(String channel) {
        return channelNameProblem(channel) == null;
    }

    /** Why {@code event} is not a valid event name, or {@code null} when it is valid. */
    public static String eventNameProblem(String event) {
        if (event == null || event.isEmpty()) {
            return "Event name is missing";
        }
        if (event.length() > MAX_EVENT_NAME_LENGTH) {
            return "Event name is too long: " + event.length() + " characters, the limit is "
                    + MAX_EVENT_NAME_LENGTH;
        }
        return null;
    }

    /** Application ids are used in Redis keys and URLs, so they are kept to a safe alphabet. */
    public static boolean isValidAppId(String appId) {
        if (appId == null || appId.isEmpty() || appId.length() > 64) {
            return false;
        }
        for (int i = 0; i < appId.length(); i++) {
            char c = appId.charAt(i);
            if (!(isAsciiAlnum(c) || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Pusher socket ids look like {@code 123.456}. */
    public static boolean isValidSocketId(String socketId) {
        if (socketId == null) {
            return false;
        }
        int dot = socketId.indexOf('.');
        if (dot <= 0 || dot == socketId.length() - 1 || socketId.length() > 48) {
            return false;
        }
        for (int i = 0; i < socketId.length(); i++) {
            char c = socketId.charAt(i);
            if (i != dot && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isChannelChar(char c) {
        return isAsciiAlnum(c) || c == '_' || c == '-' || c == '=' || c == '@' || c == ','
                || c == '.' || c == ';';
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
