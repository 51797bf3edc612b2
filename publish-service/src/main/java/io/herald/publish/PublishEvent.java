package io.herald.publish;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One validated event of an HTTP API publish request.
 *
 * @param name the event name
 * @param data the data string exactly as subscribers will receive it
 * @param channels the channels, without duplicates, in request order
 * @param socketId the socket that must not receive the event, or {@code null}
 * @param info the counts the publisher asked for with {@code info}; empty for none
 */
public record PublishEvent(String name, String data, List<String> channels, String socketId, Set<InfoAttribute> info) {

    public PublishEvent {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(data, "data");
        channels = List.copyOf(channels);
        info = Set.copyOf(info);
    }
}
