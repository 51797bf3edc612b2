package io.herald.metrics.console;

import io.herald.core.app.AppStore;
import io.herald.core.debug.DebugConsole;
import io.herald.core.debug.DebugEvent;
import io.herald.core.debug.DebugEventJson;
import io.herald.core.debug.DebugEventType;
import io.herald.core.debug.DebugNotice;
import io.herald.core.error.ApiError;
import io.herald.core.names.Names;
import io.herald.metrics.security.AppAccess;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /dashboard/api/apps/{app_id}/console}: the app's live debug console as server-sent
 * events. Each event is {@code event: <type>} and {@code data: <one JSON object>}
 * ({@link DebugEventJson}); {@code event: dropped} with {@code {"type":"dropped","count":n,…}}
 * says how many events this stream lost because its reader did not keep up. A comment
 * ({@code : watching}) opens the stream and another ({@code : heartbeat}) follows every
 * {@code herald.debug.heartbeat-interval}, so proxies keep an idle stream open.
 *
 * <p>Filters: {@code types=a,b} (the wire names of {@link DebugEventType}; an unknown one is a
 * 400) and {@code channel=<prefix>} (only events on a channel starting with it; events without a
 * channel, such as connections and webhook attempts, are then left out). Who may watch which app
 * is {@link AppAccess}'s answer, asked before anything else.
 */
public final class ConsoleHandler {

    private final DebugConsole console;
    private final AppAccess access;
    private final Duration heartbeat;
    private final AppStore apps;

    /** @param apps where the app is looked up: an unknown app is a 404, as for a caller who may not read it */
    public ConsoleHandler(DebugConsole console, AppAccess access, AppStore apps, Duration heartbeat) {
        this.apps = Objects.requireNonNull(apps, "apps");
        this.console = Objects.requireNonNull(console, "console");
        this.access = Objects.requireNonNull(access, "access");
        this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    }

    public Mono<ServerResponse> console(ServerRequest request) {
        String appId = request.pathVariable("app_id");
        return access.checkRead(request.exchange(), appId).then(Mono.defer(() -> {
            if (!Names.isValidAppId(appId)) {
                throw ApiError.NOT_FOUND.exception("Unknown app: app ids are 1-64 letters, digits, '-' or '_'");
            }
            if (console == DebugConsole.NONE) {
                throw ApiError.FORBIDDEN.exception("The debug console is off: herald.debug.enabled=false");
            }
            Set<DebugEventType> types = types(request.queryParam("types").orElse(""));
            return apps.findById(appId)
                    .switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception("Unknown app: " + appId)))
                    .flatMap(app -> stream(request, appId, types));
        }));
    }

    private Mono<ServerResponse> stream(ServerRequest request, String appId, Set<DebugEventType> types) {
        String channel = request.queryParam("channel").filter(prefix -> !prefix.isEmpty()).orElse(null);
        Flux<ServerSentEvent<String>> events = console.watch(appId)
                .filter(notice -> wanted(notice, types, channel))
                .map(ConsoleHandler::sse);
        Flux<ServerSentEvent<String>> heartbeats = Flux.interval(heartbeat, heartbeat)
                .onBackpressureDrop()
                .map(tick -> ServerSentEvent.<String>builder().comment("heartbeat").build());
        // The watch is registered when the merge subscribes to it, before the opening comment.
        Flux<ServerSentEvent<String>> body = Flux.merge(events,
                Mono.just(ServerSentEvent.<String>builder().comment("watching").build()), heartbeats);
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                // nginx and others buffer responses by default; an event stream must not be.
                .header("X-Accel-Buffering", "no")
                .body(BodyInserters.fromServerSentEvents(body));
    }

    private static Set<DebugEventType> types(String list) {
        Set<DebugEventType> types = EnumSet.noneOf(DebugEventType.class);
        for (String name : list.split(",")) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            DebugEventType type = DebugEventType.of(trimmed);
            if (type == null) {
                throw ApiError.BAD_REQUEST.exception("Unknown event type in types; known: connection_opened, connection_closed, subscribed, unsubscribed, api_message,"
                        + " client_event, webhook_attempt");
            }
            types.add(type);
        }
        return types.isEmpty() ? EnumSet.allOf(DebugEventType.class) : types;
    }

    private static boolean wanted(DebugNotice notice, Set<DebugEventType> types, String channelPrefix) {
        if (!(notice instanceof DebugEvent event)) {
            return true;
        }
        if (!types.contains(event.type())) {
            return false;
        }
        return channelPrefix == null || (event.channel() != null && event.channel().startsWith(channelPrefix));
    }

    private static ServerSentEvent<String> sse(DebugNotice notice) {
        if (notice instanceof DebugEvent event) {
            return ServerSentEvent.<String>builder(DebugEventJson.write(event)).event(event.type().wireName()).build();
        }
        DebugNotice.Dropped dropped = (DebugNotice.Dropped) notice;
        return ServerSentEvent.<String>builder(DebugEventJson.write(dropped)).event("dropped").build();
    }
}
