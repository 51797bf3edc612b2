package io.herald.publish.web;

import io.herald.core.app.App;
import io.herald.core.error.ApiError;
import io.herald.core.error.ApiException;
import io.herald.publish.ChannelCounts;
import io.herald.publish.ChannelInfoProvider;
import io.herald.publish.EventPublisher;
import io.herald.publish.EventRequestParser;
import io.herald.publish.InfoAttribute;
import io.herald.publish.PublishEvent;
import io.herald.publish.PublishMeters;
import io.herald.core.protocol.PusherCodec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The handlers of {@code POST /apps/{app_id}/events} and {@code POST /apps/{app_id}/batch_events}.
 *
 * <p>Success bodies are Pusher's: {@code {}}, or with {@code info} and available counts
 * {@code {"channels":{…}}} (events) and {@code {"batch":[{…},{}]}} (batch events). Failures are
 * signalled as {@link ApiException}s and answered by {@link ApiErrorFilter}.
 *
 * <p>The logic is written once, against {@link ApiRequest}: the {@code ServerRequest} methods serve
 * Spring WebFlux's functional routes ({@link PublishRoutes}), the {@code ApiRequest} ones the Reactor
 * Netty route below Spring's dispatcher ({@link PublishNettyRoutes}).
 */
public final class PublishHandler {

    private static final byte[] EMPTY_OBJECT = {'{', '}'};
    /** What the official SDKs send, accepted without parsing. */
    private static final String JSON = MediaType.APPLICATION_JSON_VALUE;

    private final RequestAuthenticator authenticator;
    private final EventRequestParser parser;
    private final EventPublisher publisher;
    private final ChannelInfoProvider channelInfo;
    private final PublishMeters meters;

    public PublishHandler(RequestAuthenticator authenticator, EventRequestParser parser, EventPublisher publisher,
            ChannelInfoProvider channelInfo, PublishMeters meters) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.parser = Objects.requireNonNull(parser, "parser");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.channelInfo = Objects.requireNonNull(channelInfo, "channelInfo");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    /** {@code POST /apps/{app_id}/events} on Spring WebFlux's functional routes. */
    public Mono<ServerResponse> events(ServerRequest request) {
        return events(new WebFluxApiRequest(request)).flatMap(PublishHandler::ok);
    }

    /** {@code POST /apps/{app_id}/batch_events} on Spring WebFlux's functional routes. */
    public Mono<ServerResponse> batchEvents(ServerRequest request) {
        return batchEvents(new WebFluxApiRequest(request)).flatMap(PublishHandler::ok);
    }

    /**
     * {@code POST /apps/{app_id}/events}, whichever server layer received it: emits the
     * {@code application/json} body of the 200, or fails with the {@link ApiException} (or other
     * failure) that {@link ApiErrorFilter} turns into the error answer.
     */
    public Mono<byte[]> events(ApiRequest request) {
        long start = System.nanoTime();
        return authenticator.authenticate(request).flatMap(signed -> {
            requireJson(request.contentType());
            App app = signed.app();
            PublishEvent event = parser.event(signed.body(), app);
            return authenticator.admitMessages(app, messages(List.of(event)))
                    .then(Mono.defer(() -> publisher.publish(app, List.of(event))))
                    .then(Mono.fromRunnable(() -> meters.latency(app.id(), System.nanoTime() - start)))
                    .then(eventInfo(app, event))
                    .defaultIfEmpty(EMPTY_OBJECT);
        });
    }

    /** {@code POST /apps/{app_id}/batch_events}, whichever server layer received it; as {@link #events(ApiRequest)}. */
    public Mono<byte[]> batchEvents(ApiRequest request) {
        long start = System.nanoTime();
        return authenticator.authenticate(request).flatMap(signed -> {
            requireJson(request.contentType());
            App app = signed.app();
            List<PublishEvent> events = parser.batch(signed.body(), app);
            return authenticator.admitMessages(app, messages(events))
                    .then(Mono.defer(() -> publisher.publish(app, events)))
                    .then(Mono.fromRunnable(() -> meters.latency(app.id(), System.nanoTime() - start)))
                    .then(batchInfo(app, events))
                    .defaultIfEmpty(EMPTY_OBJECT);
        });
    }

    /** The channel messages of a request, as quotas (and Pusher) count them: one per event and channel. */
    private static long messages(List<PublishEvent> events) {
        return events.stream().mapToLong(event -> event.channels().size()).sum();
    }

    /** Any other method on the publish paths. */
    public Mono<ServerResponse> methodNotAllowed(ServerRequest request) {
        return Mono.error(ApiError.METHOD_NOT_ALLOWED.exception(request.method().name() + " is not supported on "
                + request.requestPath().value() + "; use POST"));
    }

    /**
     * Pusher's SDKs send {@code application/json}; a request without a content type is read as JSON
     * too. A content type that is not one at all is refused like any other non-JSON type.
     */
    private static void requireJson(String contentType) {
        if (contentType == null || JSON.equalsIgnoreCase(contentType)) {
            return;
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        }
        catch (InvalidMediaTypeException ex) {
            type = null;
        }
        if (type == null || !MediaType.APPLICATION_JSON.isCompatibleWith(type)) {
            throw ApiError.UNSUPPORTED_MEDIA_TYPE.exception("Unsupported Content-Type " + contentType
                    + "; send the body as application/json");
        }
    }

    /** {@code {"channels":{…}}}, or empty when no counts were asked for or none are available. */
    private Mono<byte[]> eventInfo(App app, PublishEvent event) {
        if (event.info().isEmpty()) {
            return Mono.empty();
        }
        return channelInfo.counts(app, event.channels(), event.info())
                .map(counts -> {
                    ObjectNode root = PusherCodec.json().createObjectNode();
                    root.set("channels", channelsNode(counts));
                    return PusherCodec.json().writeValueAsBytes(root);
                });
    }

    /** {@code {"batch":[{…},{}]}} in index order, or empty when no event asked for counts or none are available. */
    private Mono<byte[]> batchInfo(App app, List<PublishEvent> events) {
        if (events.stream().allMatch(e -> e.info().isEmpty())) {
            return Mono.empty();
        }
        return Flux.fromIterable(events)
                .concatMap(event -> event.info().isEmpty() ? Mono.just(Map.<String, ChannelCounts>of())
                        : channelInfo.counts(app, event.channels(), event.info()).map(c -> (Map<String, ChannelCounts>) c))
                .collectList()
                .filter(list -> list.size() == events.size())
                .map(list -> {
                    ObjectNode root = PusherCodec.json().createObjectNode();
                    ArrayNode batch = root.putArray("batch");
                    for (Map<String, ChannelCounts> counts : list) {
                        // Pusher answers an entry per event; with one channel per event the counts sit at the top.
                        ObjectNode entry = batch.addObject();
                        counts.values().stream().findFirst().ifPresent(c -> writeCounts(entry, c));
                    }
                    return PusherCodec.json().writeValueAsBytes(root);
                });
    }

    private static ObjectNode channelsNode(Map<String, ChannelCounts> counts) {
        ObjectNode channels = PusherCodec.json().createObjectNode();
        counts.forEach((channel, c) -> writeCounts(channels.putObject(channel), c));
        return channels;
    }

    private static void writeCounts(ObjectNode node, ChannelCounts counts) {
        if (counts.userCount() != null) {
            node.put(InfoAttribute.USER_COUNT.wireName(), counts.userCount());
        }
        if (counts.subscriptionCount() != null) {
            node.put(InfoAttribute.SUBSCRIPTION_COUNT.wireName(), counts.subscriptionCount());
        }
    }

    private static Mono<ServerResponse> ok(byte[] body) {
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }
}
