package io.herald.core.app;

/**
 * What an app has switched on.
 *
 * @param clientEvents clients may send {@code client-*} events on private and presence channels
 * @param userAuthentication authorized connections: each must sign in ({@code pusher:signin}) or
 *        subscribe to a private or presence channel within the authentication timeout, or be closed
 *        with 4009
 * @param subscriptionCount {@code pusher_internal:subscription_count} events and the
 *        {@code subscription_count} attribute of channel queries are enabled
 * @param watchlistEvents signed-in users are told when users of the {@code watchlist} in their
 *        {@code user_data} come online or go offline ({@code pusher_internal:watchlist_events})
 */
public record AppFeatures(boolean clientEvents, boolean userAuthentication, boolean subscriptionCount,
        boolean watchlistEvents) {

    /** Everything off, as a new Pusher app. */
    public static final AppFeatures DEFAULTS = new AppFeatures(false, false, false, false);
}
