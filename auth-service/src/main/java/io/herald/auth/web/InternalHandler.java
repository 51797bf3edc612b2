package io.herald.auth.web;

import io.herald.core.error.ApiError;
import io.herald.core.app.AppChanges;
import io.herald.core.app.AppJson;
import io.herald.core.app.AppRegistry;
import io.herald.core.app.AppStore;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.protocol.PusherCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The internal API edges call ({@code /internal/v1}, internal token only): signature
 * verification, the public view of apps, and the stream of app changes. See
 * {@link io.herald.core.auth.http.HttpAuthVerifier} and {@link io.herald.core.auth.http.HttpAppStore},
 * its clients.
 */
public final class InternalHandler {

    /** How often the change stream sends a {@code ping} event, so clients and proxies see it alive. */
    static final Duration PING_INTERVAL = Duration.ofSeconds(10);

    private final AuthVerifier verifier;
    private final AppStore apps;
    private final AppRegistry registry;
    /** Completed at shutdown: ends every change stream (see {@link #endChangeStreams()}). */
    private final Sinks.Empty<Void> shuttingDown = Sinks.empty();

    /**
     * @param verifier verifies with the secrets of the registry (a {@code LocalAuthVerifier})
     * @param apps the (cached) store behind lookups
     * @param registry whose raw announcements the change stream passes on
     */
    public InternalHandler(AuthVerifier verifier, AppStore apps, AppRegistry registry) {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.apps = Objects.requireNonNull(apps, "apps");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** {@code {appId, socketId, channel, auth, channelData?}} → {@code {ok, reason}}. */
    public Mono<ServerResponse> channelAuth(ServerRequest request) {
        return body(request, Set.of("appId", "socketId", "channel", "auth"), Set.of("channelData"))
                .flatMap(body -> verifier.authorizeChannel(text(body, "appId"), text(body, "socketId"),
                        text(body, "channel"), text(body, "auth"), text(body, "channelData")))
                .flatMap(InternalHandler::verdict);
    }

    /** {@code {appId, socketId, userData, auth}} → {@code {ok, reason}}. */
    public Mono<ServerResponse> userAuth(ServerRequest request) {
        return body(request, Set.of("appId", "socketId", "userData", "auth"), Set.of())
                .flatMap(body -> verifier.authenticateUser(text(body, "appId"), text(body, "socketId"),
                        text(body, "userData"), text(body, "auth")))
                .flatMap(InternalHandler::verdict);
    }

    public Mono<ServerResponse> appById(ServerRequest request) {
        String id = request.pathVariable("id");
        return publicView(apps.findById(id), "No app with id " + id);
    }

    public Mono<ServerResponse> appByKey(ServerRequest request) {
        return publicView(apps.findByKey(request.pathVariable("key")), "No app with that key");
    }

    /**
     * Server-sent events: first {@code change} with {@link AppChanges#RESYNC} (the client may have
     * missed announcements before connecting), then one {@code change} per announced app id, and a
     * {@code ping} every {@link #PING_INTERVAL}.
     */
    public Mono<ServerResponse> changes(ServerRequest request) {
        Flux<ServerSentEvent<String>> events = Flux.merge(
                Flux.just(AppChanges.RESYNC).concatWith(registry.changes()).map(InternalHandler::change),
                Flux.interval(PING_INTERVAL).map(tick -> ServerSentEvent.<String>builder().event("ping").data("")
                        .build()));
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .body(events.takeUntilOther(shuttingDown.asMono()), new org.springframework.core.ParameterizedTypeReference<ServerSentEvent<String>>() {
                });
    }

    /**
     * Ends every open change stream, and any opened from now on, normally. Called as the service
     * stops and before the web server's graceful shutdown, which would otherwise wait its whole
     * timeout for these never-ending responses; edges reconnect (to another replica) at once and
     * resynchronise their caches.
     */
    public void endChangeStreams() {
        shuttingDown.tryEmitEmpty();
    }

    private static ServerSentEvent<String> change(String id) {
        return ServerSentEvent.<String>builder().event("change").data(id).build();
    }

    private static Mono<ServerResponse> publicView(Mono<io.herald.core.app.App> app, String notFound) {
        return app.switchIfEmpty(Mono.error(() -> ApiError.NOT_FOUND.exception(notFound)))
                .flatMap(found -> AdminHandler.json(AppJson.toJson(found.withoutSecrets(), false)));
    }

    private static Mono<ServerResponse> verdict(AuthVerifier.Verdict verdict) {
        ObjectNode body = PusherCodec.json().createObjectNode();
        body.put("ok", verdict.ok());
        if (verdict.reason() != null) {
            body.put("reason", verdict.reason());
        }
        return AdminHandler.json(body);
    }

    private static Mono<JsonNode> body(ServerRequest request, Set<String> required, Set<String> optional) {
        return request.bodyToMono(byte[].class)
                .switchIfEmpty(Mono.error(() -> ApiError.BAD_REQUEST.exception("A JSON object body is required")))
                .map(bytes -> PusherCodec.json().readTree(bytes))
                .flatMap(node -> {
                    if (!node.isObject()) {
                        return Mono.error(ApiError.BAD_REQUEST.exception("The body must be a JSON object"));
                    }
                    List<String> problems = new ArrayList<>();
                    for (String field : required) {
                        JsonNode value = node.get(field);
                        if (value == null || !value.isString() || value.asString().isEmpty()) {
                            problems.add(field + " must be a non-empty string");
                        }
                    }
                    for (String field : optional) {
                        JsonNode value = node.get(field);
                        if (value != null && !value.isNull() && !value.isString()) {
                            problems.add(field + " must be a string");
                        }
                    }
                    return problems.isEmpty() ? Mono.just(node)
                            : Mono.error(ApiError.BAD_REQUEST.exception(String.join("; ", problems.stream().sorted().toList())));
                });
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value == null || !value.isString() ? null : value.asString();
    }
}
