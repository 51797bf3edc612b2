package io.herald.publish;

import io.herald.core.app.App;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Answers the {@code info} attributes of a publish request: cluster-wide counts of the channels
 * an event was published to.
 *
 * <p>This is the one place where those counts come from: {@link ChannelStateInfoProvider} reads
 * them from the cluster-wide {@code ChannelState}. {@link #none()} answers no counts, and a
 * publish with {@code info} is then answered {@code {}}, which official SDKs accept.
 *
 * <p>Implementations must not block.
 */
@FunctionalInterface
public interface ChannelInfoProvider {

    /**
     * The counts of {@code channels}, keyed by channel name; completes empty when counts are not
     * available, in which case the response carries none.
     */
    Mono<Map<String, ChannelCounts>> counts(App app, Collection<String> channels, Set<InfoAttribute> attributes);

    /** A provider that has no counts: responses stay {@code {}}. */
    static ChannelInfoProvider none() {
        return (app, channels, attributes) -> Mono.empty();
    }
}
