package io.herald.publish;

import io.herald.core.app.App;
import io.herald.core.broker.ChannelKey;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateUnavailableException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code info} counts of a publish from the cluster-wide {@link ChannelState}: for each
 * channel its {@code subscription_count} and, for presence channels, {@code user_count}, read
 * after the event was published (so they may be a moment behind concurrent joins and leaves).
 *
 * <p>Fail-soft: the event has already been delivered when counts are read, so when the state
 * cannot be reached the response is {@code {}} (no counts) rather than an error that would make
 * the caller publish again.
 */
public final class ChannelStateInfoProvider implements ChannelInfoProvider {

    private static final Logger log = LoggerFactory.getLogger(ChannelStateInfoProvider.class);

    private final ChannelState state;

    public ChannelStateInfoProvider(ChannelState state) {
        this.state = Objects.requireNonNull(state, "state");
    }

    @Override
    public Mono<Map<String, ChannelCounts>> counts(App app, Collection<String> channels, Set<InfoAttribute> attributes) {
        return Flux.fromIterable(channels)
                .flatMapSequential(channel -> counts(new ChannelKey(app.id(), channel), attributes)
                        .map(counts -> Map.entry(channel, counts)))
                .collectList()
                .map(entries -> {
                    Map<String, ChannelCounts> out = new LinkedHashMap<>();
                    entries.forEach(e -> out.put(e.getKey(), e.getValue()));
                    return out;
                })
                .onErrorResume(ChannelStateUnavailableException.class, ex -> {
                    log.debug("No info counts for app {}: {}", app.id(), ex.getMessage());
                    return Mono.empty();
                });
    }

    private Mono<ChannelCounts> counts(ChannelKey channel, Set<InfoAttribute> attributes) {
        Mono<Integer> users = attributes.contains(InfoAttribute.USER_COUNT)
                ? state.members(channel).map(List::size)
                : Mono.just(-1);
        Mono<Integer> subscriptions = attributes.contains(InfoAttribute.SUBSCRIPTION_COUNT)
                ? state.subscriptionCount(channel).map(Math::toIntExact)
                : Mono.just(-1);
        return Mono.zip(users, subscriptions,
                (u, s) -> new ChannelCounts(u < 0 ? null : u, s < 0 ? null : s));
    }
}
