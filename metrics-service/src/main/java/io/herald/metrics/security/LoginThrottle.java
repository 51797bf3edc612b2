package io.herald.metrics.security;

import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Limits failed sign-ins, per username and per client address, so passwords cannot be guessed
 * at speed: after {@code maxPerUser} failures for one username, or {@code maxPerAddress} from one
 * address, within a window (which starts at the first failure), sign-in for that username or from
 * that address is refused until the window ends. A success clears the username's count (not the
 * address's).
 *
 * <p>Unknown usernames count exactly like known ones, so the answers never tell whether a username
 * exists. Usernames are kept as digests. The Redis adapter is shared by every metrics-service
 * replica; the in-memory one counts per process and is bounded. An unreachable store fails the
 * {@code Mono} (sign-in then fails closed: 503). Never blocks.
 */
public interface LoginThrottle {

    /** How long sign-in for {@code username} or from {@code address} is refused; {@link Duration#ZERO} when it is not. */
    Mono<Duration> refusedFor(String username, String address);

    /** Counts a failed sign-in. */
    Mono<Void> failed(String username, String address);

    /** Clears the username's failures after a successful sign-in. */
    Mono<Void> succeeded(String username);

    /** The key of a username: a digest of it normalized (an unknown username may be anything). */
    static String userKey(String username) {
        return "u:" + Digests.sha256(username == null ? "" : username.toLowerCase(java.util.Locale.ROOT));
    }

    /** The key of a client address. */
    static String addressKey(String address) {
        return "a:" + (address == null ? "unknown" : address);
    }
}
