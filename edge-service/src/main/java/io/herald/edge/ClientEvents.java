package io.herald.edge;

import io.herald.core.app.App;
import io.herald.core.broker.ChannelKey;
import io.herald.core.error.PusherError;
import io.herald.core.names.Names;
import io.herald.core.protocol.ClientFrame;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.webhook.WebhookEvent;
import io.herald.core.app.WebhookEventType;
import java.nio.charset.StandardCharsets;
import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageSink;
import java.util.function.LongSupplier;

/**
 * Client events ({@code client-*}) as Pusher defines them: only when the app allows them, only
 * on private and presence channels (not encrypted ones) the sender is subscribed to, at most
 * the app's rate per connection (4301 beyond it), never echoed to the sender, with
 * {@code user_id} added on presence channels, and a {@code client_event} webhook.
 */
public final class ClientEvents {

    private final ChannelNotifier notifier;
    private final LongSupplier nanoTime;
    private final UsageSink usage;
    private final DebugConsole debug;
    private final java.time.Clock clock;

    public ClientEvents(ChannelNotifier notifier, LongSupplier nanoTime) {
        this(notifier, nanoTime, UsageSink.NONE);
    }

    /** @param usage where relayed client events are counted per app */
    public ClientEvents(ChannelNotifier notifier, LongSupplier nanoTime, UsageSink usage) {
        this(notifier, nanoTime, usage, DebugConsole.NONE, java.time.Clock.systemUTC());
    }

    /** @param debug where relayed client events are shown while somebody watches their app */
    public ClientEvents(ChannelNotifier notifier, LongSupplier nanoTime, UsageSink usage, DebugConsole debug,
            java.time.Clock clock) {
        this.debug = java.util.Objects.requireNonNull(debug, "debug");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        this.notifier = notifier;
        this.nanoTime = nanoTime;
        this.usage = java.util.Objects.requireNonNull(usage, "usage");
    }

    void relay(EdgeConnection connection, ClientFrame frame) {
        App app = connection.app();
        if (!app.features().clientEvents()) {
            connection.send(PusherCodec.error(null, "Client events are not enabled for this app"));
            return;
        }
        String channel = frame.channel();
        Subscription subscription = channel == null ? null : connection.subscriptions().get(channel);
        if (subscription == null || !subscription.confirmed()) {
            connection.send(PusherCodec.error(null, "Client event rejected: subscribe to the channel first"));
            return;
        }
        if (!subscription.type().requiresAuthorization() || subscription.type().isEncrypted()) {
            connection.send(PusherCodec.error(null,
                    "Client events are only supported on private and presence channels, not encrypted ones"));
            return;
        }
        String nameProblem = Names.eventNameProblem(frame.event());
        if (nameProblem != null) {
            connection.send(PusherCodec.error(null, nameProblem));
            return;
        }
        String data = frame.data() == null ? "null"
                : frame.data().isString() ? frame.data().asString() : PusherCodec.json().writeValueAsString(frame.data());
        if (data.getBytes(StandardCharsets.UTF_8).length > app.maxPayloadBytes()) {
            connection.send(PusherCodec.error(null,
                    "Client event rejected: data is larger than " + app.maxPayloadBytes() + " bytes"));
            return;
        }
        // The app as it is now: a changed limit applies to open connections (EdgeNode applies app changes).
        if (!connection.clientEventLimiter().tryAcquire(nanoTime.getAsLong(), app.limits().maxClientEventsPerSecond())) {
            connection.send(PusherCodec.error(PusherError.CLIENT_EVENT_RATE_LIMIT.code(),
                    PusherError.CLIENT_EVENT_RATE_LIMIT.message() + ": at most "
                            + app.limits().maxClientEventsPerSecond() + " per second"));
            return;
        }
        String userId = subscription.type().isPresence() ? subscription.userId() : null;
        ChannelKey key = new ChannelKey(app.id(), channel);
        notifier.publish(key, PusherCodec.clientEvent(frame.event(), channel, frame.data(), userId),
                connection.socketId());
        usage.record(app.id(), UsageQuantity.CLIENT_EVENTS, 1);
        if (debug.watched(app.id())) {
            debug.emit(DebugEvent.clientEvent(app.id(), clock.instant(), connection.socketId(), channel, frame.event(),
                    data));
        }
        if (ChannelNotifier.wants(app, WebhookEventType.CLIENT_EVENT)) {
            notifier.webhook(app, new WebhookEvent(app.id(), WebhookEventType.CLIENT_EVENT, channel, userId,
                    frame.event(), data, connection.socketId(), null, notifier.nowMillis()));
        }
    }
}
