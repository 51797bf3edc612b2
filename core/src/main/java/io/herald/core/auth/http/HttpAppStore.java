package io.herald.core.auth.http;

import io.herald.core.app.App;
import io.herald.core.app.AppChanges;
import io.herald.core.app.AppJson;
import io.herald.core.app.AppStore;
import io.herald.core.auth.AuthUnavailableException;
import io.herald.core.protocol.PusherCodec;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClientRequest;
import reactor.util.retry.Retry;

/**
 * Apps as auth-service shows them to edges: {@code GET /internal/v1/apps/by-id/{id}} and
 * {@code /by-key/{key}}, the public view ({@link App#withoutSecrets()}): every app returned has an
 * empty secret and no previous secret, so an edge never holds one. Meant to be wrapped in a
 * {@link io.herald.core.app.CachingAppStore}.
 *
 * <p>Lookups go through {@link AuthServiceClient#call} (timeout, circuit breaker); when
 * auth-service cannot answer they error with {@link AuthUnavailableException}.
 *
 * <p>{@link #changes()}: a server-sent event stream from {@code GET /internal/v1/apps/changes}
 * (events {@code change} with an app id as data; {@code ping} every few seconds). Chosen over
 * Redis pub/sub so that an edge needs no access to the state Redis at all. The stream is shared
 * by all subscribers, reconnected with capped backoff when it fails, and treated as failed when
 * no event (not even a ping) arrives for {@link #SILENCE_LIMIT}. auth-service starts every stream
 * with {@link AppChanges#RESYNC}, so each (re)connection makes caches drop what they might have
 * missed.
 */
public final class HttpAppStore implements AppStore {

    /** How long the change stream may be silent (auth-service pings every 10 s) before it is reconnected. */
    static final Duration SILENCE_LIMIT = Duration.ofSeconds(35);

    private static final Duration RECONNECT_MIN = Duration.ofMillis(200);
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(HttpAppStore.class);

    private final AuthServiceClient client;
    private final Flux<String> changes;

    public HttpAppStore(AuthServiceClient client) {
        this.client = Objects.requireNonNull(client, "client");
        // One warning per outage, not one per reconnection attempt.
        AtomicBoolean lost = new AtomicBoolean();
        this.changes = client.webClient().get().uri("/internal/v1/apps/changes")
                .accept(MediaType.TEXT_EVENT_STREAM)
                // The client's response timeout (herald.auth.timeout, about a second) is for single
                // answers; this stream is quiet for up to a ping interval and has its own limit below.
                .httpRequest(request -> ((HttpClientRequest) request.getNativeRequest())
                        .responseTimeout(SILENCE_LIMIT))
                .retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                })
                .timeout(SILENCE_LIMIT)
                .doOnNext(event -> {
                    if (lost.compareAndSet(true, false)) {
                        log.info("App change stream from auth-service reconnected");
                    }
                })
                .filter(event -> "change".equals(event.event()) && event.data() != null)
                .map(ServerSentEvent::data)
                // The stream never ends by itself; an end is a lost connection.
                .concatWith(Flux.error(() -> new IllegalStateException("the change stream ended")))
                .retryWhen(Retry.backoff(Long.MAX_VALUE, RECONNECT_MIN).maxBackoff(RECONNECT_MAX)
                        .doBeforeRetry(signal -> {
                            if (lost.compareAndSet(false, true)) {
                                log.warn("App change stream from auth-service lost ({}); reconnecting",
                                        signal.failure().toString());
                            }
                            else {
                                log.debug("App change stream from auth-service still lost ({})",
                                        signal.failure().toString());
                            }
                        }))
                .share();
    }

    @Override
    public Mono<App> findById(String appId) {
        return find("/internal/v1/apps/by-id/{id}", appId, "app " + appId);
    }

    @Override
    public Mono<App> findByKey(String key) {
        return find("/internal/v1/apps/by-key/{key}", key, "an app key");
    }

    private Mono<App> find(String path, String value, String what) {
        if (value == null || value.isEmpty()) {
            return Mono.empty();
        }
        Mono<App> request = client.webClient().get().uri(path, value)
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .bodyToMono(byte[].class)
                .map(body -> AppJson.fromPublicJson(PusherCodec.json().readTree(body)).withoutSecrets())
                // 404 is the answer "no such app", not a failure of auth-service.
                .onErrorResume(WebClientResponseException.NotFound.class, ex -> Mono.empty());
        return client.call(request, "looking up " + what);
    }

    @Override
    public Flux<String> changes() {
        return changes;
    }
}
