package io.herald.core.web;

/**
 * The paths of the Pusher protocol in a Herald server: the HTTP API ({@code /apps/{app_id}/…}) and
 * the WebSocket endpoint ({@code /app/{key}}), which authenticate themselves (request signatures,
 * app keys) and are the hot path. What is decided here decides what they skip: Spring Security's
 * chain ({@link PusherPathsSecurityBypass}) and, unless asked for, the {@code http.server.requests}
 * observation.
 */
public final class PusherPaths {

    private PusherPaths() {
    }

    /**
     * Whether {@code rawPath} (as sent, not decoded) is plainly one of the Pusher protocol's paths:
     * it starts with {@code /apps/} or {@code /app/} and holds nothing but letters, digits and
     * {@code - _ . /}, with no segment that is empty or starts with a dot. An encoded character, a
     * path parameter or a traversal is never plain, so such a request is treated like any other.
     */
    public static boolean isPlain(String rawPath) {
        int start;
        if (rawPath.startsWith("/apps/")) {
            start = 6;
        }
        else if (rawPath.startsWith("/app/")) {
            start = 5;
        }
        else {
            return false;
        }
        if (rawPath.length() == start) {
            return false;
        }
        char previous = '/';
        for (int i = start; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '/';
            // No empty segment, and no segment starting with a dot ("..", ".", ".hidden").
            if (!plain || (c == '/' && previous == '/') || (c == '.' && previous == '/')) {
                return false;
            }
            previous = c;
        }
        return true;
    }
}
