package io.herald.publish;

import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import java.time.Clock;

import io.herald.core.app.App;
import io.herald.core.broker.Broker;
import io.herald.core.broker.BrokerUnavailableException;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.Envelope;
import io.herald.core.broker.MessageIds;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.core.names.ChannelType;
import io.herald.core.protocol.PusherCodec;
import io.herald.core.state.ChannelCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hands validated events to the {@link Broker}: for each channel of an event, one
 * {@link Envelope} carrying the exact Pusher frame subscribers receive, encoded once.
 *
 * <h2>Ordering</h2>
 * The events of one request are published one after another, each only once the broker has
 * accepted every channel of the previous one, so the broker's per-channel ordering holds for
 * them. The channels of one event are published concurrently.
 *
 * <h2>Cache channels</h2>
 * An event to a cache channel ({@code cache-}, {@code private-cache-}, {@code presence-cache-},
 * {@code private-encrypted-cache-}) is also kept in the {@link ChannelCache} as the channel's
 * last event, once the broker has accepted it, for {@code cacheTtl}. Keeping it is best effort:
 * the event was delivered, so a cache that cannot be reached is logged, not an error.
 *
 * <h2>Failure</h2>
 * When a channel's Redis shard is unavailable the request fails with a 503
 * {@link ApiException} carrying {@code retryAfter}. The broker is at-most-once and publishes are
 * not rolled back: channels of the same event on healthy shards were delivered, events of the
 * batch before the failed one were delivered, and the events after it were not published. The
 * message says which.
 */
public final class EventPublisher {

    private static final Logger log = LoggerFactory.getLogger(EventPublisher.class);

    private final Broker broker;
    private final PublishMeters meters;
    private final Duration retryAfter;
    private final ChannelCache cache;
    private final Duration cacheTtl;
    private final DebugConsole debug;
    private final Clock clock;
    /** Random per process, so message ids of several replicas do not collide. */

    /** A publisher that keeps no cache-channel events. */
    public EventPublisher(Broker broker, PublishMeters meters, Duration retryAfter) {
        this(broker, meters, retryAfter, null, ChannelCache.DEFAULT_TTL);
    }

    /**
     * @param cache where cache channels keep their last event, or {@code null} to keep none
     * @param cacheTtl how long a cache channel keeps its last event
     */
    public EventPublisher(Broker broker, PublishMeters meters, Duration retryAfter, ChannelCache cache,
            Duration cacheTtl) {
        this(broker, meters, retryAfter, cache, cacheTtl, DebugConsole.NONE, Clock.systemUTC());
    }

    /** @param debug where each event published to a channel is shown while somebody watches its app */
    public EventPublisher(Broker broker, PublishMeters meters, Duration retryAfter, ChannelCache cache,
            Duration cacheTtl, DebugConsole debug, Clock clock) {
        this.debug = Objects.requireNonNull(debug, "debug");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.broker = Objects.requireNonNull(broker, "broker");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        this.cache = cache;
        this.cacheTtl = Objects.requireNonNull(cacheTtl, "cacheTtl");
    }

    /** Publishes {@code events} in order; completes when the broker has accepted all of them. */
    public Mono<Void> publish(App app, List<PublishEvent> events) {
        Objects.requireNonNull(app, "app");
        if (events.size() == 1) {
            // The common request, one event: without the operators that order several.
            return publish(app, events.get(0), 0, 1);
        }
        return Flux.range(0, events.size())
                .concatMap(i -> publish(app, events.get(i), i, events.size()))
                .then();
    }

    private Mono<Void> publish(App app, PublishEvent event, int index, int count) {
        if (event.channels().size() == 1) {
            return publish(app, event, event.channels().get(0))
                    .map(List::of)
                    .defaultIfEmpty(List.of())
                    .flatMap(failures -> published(app, event, failures, index, count));
        }
        return Flux.fromIterable(event.channels())
                .flatMap(channel -> publish(app, event, channel))
                .collectList()
                .flatMap(failures -> published(app, event, failures, index, count));
    }

    private Mono<Void> published(App app, PublishEvent event, List<String> failures, int index, int count) {
        int delivered = event.channels().size() - failures.size();
        meters.published(app.id(), delivered);
        if (failures.isEmpty()) {
            return Mono.empty();
        }
        return Mono.error(unavailable(event, failures, index, count));
    }

    /** Emits the channel's name when its shard is unavailable, nothing when it was published. */
    private Mono<String> publish(App app, PublishEvent event, String channel) {
        Envelope envelope = new Envelope(new ChannelKey(app.id(), channel), MessageIds.next(), event.socketId(),
                PusherCodec.channelEvent(event.name(), channel, event.data(), null));
        return Mono.defer(() -> broker.publish(envelope))
                .doOnSuccess(ignored -> {
                    if (debug.watched(app.id())) {
                        debug.emit(DebugEvent.apiMessage(app.id(), clock.instant(), channel, event.name(),
                                event.data(), event.socketId()));
                    }
                    if (log.isDebugEnabled()) {
                        log.debug("Published event {} to app {} channel {} (message {})", event.name(), app.id(),
                                channel, envelope.messageId());
                    }
                })
                .then(Mono.defer(() -> keepIfCached(envelope)))
                .then(Mono.<String>empty())
                .onErrorResume(BrokerUnavailableException.class, ex -> {
                    log.debug("Could not publish to app {} channel {}: {}", app.id(), channel, ex.getMessage());
                    return Mono.just(channel);
                });
    }

    /** Keeps the frame of an event to a cache channel as its last event; never fails. */
    private Mono<Void> keepIfCached(Envelope envelope) {
        if (cache == null || !ChannelType.of(envelope.channel().channel()).isCache()) {
            return Mono.empty();
        }
        return cache.store(envelope.channel(), envelope.frame(), cacheTtl)
                .onErrorResume(ex -> {
                    log.warn("Could not keep the last event of cache channel {} of app {}: {}",
                            envelope.channel().channel(), envelope.channel().appId(), ex.getMessage());
                    return Mono.empty();
                });
    }

    private ApiException unavailable(PublishEvent event, List<String> failed, int index, int count) {
        StringBuilder message = new StringBuilder("The message broker for channel(s) ")
                .append(String.join(", ", failed))
                .append(" is temporarily unavailable; retry after ").append(retryAfterText()).append('.');
        int delivered = event.channels().size() - failed.size();
        if (delivered > 0) {
            List<String> ok = new ArrayList<>(event.channels());
            ok.removeAll(failed);
            message.append(" The event was delivered to ").append(String.join(", ", ok)).append('.');
        }
        if (count > 1) {
            message.append(" Events before batch[").append(index).append("] were delivered; events after it were not")
                    .append(" published.");
        }
        return new ApiException(ApiError.SERVICE_UNAVAILABLE, message.toString(), retryAfter, null);
    }

    private String retryAfterText() {
        long millis = retryAfter.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + " s" : millis + " ms";
    }

}
