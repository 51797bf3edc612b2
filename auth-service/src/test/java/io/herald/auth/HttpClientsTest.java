package io.herald.auth;

import static io.herald.auth.AuthServiceRunner.ADMIN_TOKEN;
import static io.herald.auth.AuthServiceRunner.INTERNAL_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.herald.core.app.App;
import io.herald.core.app.AppChanges;
import io.herald.core.app.CachingAppStore;
import io.herald.core.auth.AuthProperties;
import io.herald.core.auth.AuthUnavailableException;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.auth.http.AuthServiceClient;
import io.herald.core.auth.http.HttpAppStore;
import io.herald.core.auth.http.HttpAuthVerifier;
import io.herald.core.signature.ChannelSignatures;
import io.herald.core.testing.RedisServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The edge's clients of auth-service (core's HttpAuthVerifier and HttpAppStore) against a running auth-service. */
class HttpClientsTest {

    static final String APP = "edge-app";
    static final String KEY = "edge-key";
    static final String SECRET = "edge-secret-9d8c7b6a5f";

    RedisServer redis;
    ConfigurableApplicationContext context;
    CachingAppStore cache;

    @AfterEach
    void stop() {
        if (cache != null) {
            cache.close();
        }
        if (context != null) {
            context.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    void startAuthService() {
        redis = RedisServer.start();
        context = AuthServiceRunner.start(Clock.systemUTC(), "--herald.redis.state=" + redis.uri(),
                "--herald.redis.key-prefix=" + RedisServer.uniquePrefix(),
                "--herald.apps[0].id=" + APP, "--herald.apps[0].key=" + KEY, "--herald.apps[0].secret=" + SECRET);
    }

    AuthServiceClient client(URI url, String token) {
        return client(url, token, Duration.ofSeconds(3));
    }

    AuthServiceClient client(URI url, String token, Duration timeout) {
        return new AuthServiceClient(new AuthProperties(url, token, timeout, Duration.ofSeconds(30), Duration.ofHours(1),
                new AuthProperties.CircuitBreakerProperties(50, 4, 4, Duration.ofSeconds(30), 1)));
    }

    @Test
    void verifiesThroughAuthService() {
        startAuthService();
        AuthVerifier verifier = new HttpAuthVerifier(client(URI.create(AuthServiceRunner.baseUrl(context)),
                INTERNAL_TOKEN));
        String good = ChannelSignatures.token(KEY, SECRET, ChannelSignatures.channelStringToSign("1.1", "private-a",
                null));
        String userData = "{\"id\":\"u\"}";

        StepVerifier.create(verifier.authorizeChannel(APP, "1.1", "private-a", good, null))
                .expectNext(AuthVerifier.Verdict.OK).expectComplete().verify(Duration.ofSeconds(30));
        StepVerifier.create(verifier.authorizeChannel(APP, "1.2", "private-a", good, null))
                .assertNext(verdict -> assertThat(verdict.ok()).isFalse())
                .expectComplete().verify(Duration.ofSeconds(30));
        StepVerifier.create(verifier.authenticateUser(APP, "1.1", userData,
                ChannelSignatures.token(KEY, SECRET, ChannelSignatures.userStringToSign("1.1", userData))))
                .expectNext(AuthVerifier.Verdict.OK).expectComplete().verify(Duration.ofSeconds(30));
        StepVerifier.create(verifier.authorizeChannel("unknown", "1.1", "private-a", good, null))
                .assertNext(verdict -> assertThat(verdict.reason()).contains("Unknown app"))
                .expectComplete().verify(Duration.ofSeconds(30));
    }

    @Test
    void aWrongInternalTokenIsAnUnavailableVerifierNotARefusal() {
        startAuthService();
        AuthVerifier verifier = new HttpAuthVerifier(client(URI.create(AuthServiceRunner.baseUrl(context)),
                "not-the-internal-token"));

        StepVerifier.create(verifier.authorizeChannel(APP, "1.1", "private-a", KEY + ":00", null))
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(AuthUnavailableException.class)
                        .hasMessageContaining("internal token").hasMessageNotContaining("not-the-internal-token"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void appsComeWithoutSecretsAndChangesReachTheEdgeCache() {
        startAuthService();
        HttpAppStore store = new HttpAppStore(client(URI.create(AuthServiceRunner.baseUrl(context)), INTERNAL_TOKEN));
        cache = new CachingAppStore(store, Duration.ofMinutes(10), Clock.systemUTC());

        App byKey = cache.findByKey(KEY).block(Duration.ofSeconds(30));
        App byId = store.findById(APP).block(Duration.ofSeconds(30));
        for (App app : List.of(byKey, byId)) {
            assertThat(app.id()).isEqualTo(APP);
            assertThat(app.secret()).isEmpty();
            assertThat(app.previousSecret()).isNull();
            assertThat(app.toString() + app).doesNotContain(SECRET);
        }
        assertThat(store.findByKey("unknown").blockOptional(Duration.ofSeconds(5))).isEmpty();

        // Disable through the admin API: the edge's cache (TTL 10 min) sees it through the change stream.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            AuthServiceRunner.client(context).post().uri("/admin/apps/" + APP + "/disable")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + ADMIN_TOKEN).exchange().expectStatus().isOk();
            assertThat(cache.findByKey(KEY).block(Duration.ofSeconds(30)).enabled()).isFalse();
        });
    }

    @Test
    void aQuietChangeStreamOutlivesTheClientsResponseTimeout() throws Exception {
        startAuthService();
        // A 200 ms timeout for single answers; the stream stays quiet (pings come every 10 s).
        AuthServiceClient quick = client(URI.create(AuthServiceRunner.baseUrl(context)), INTERNAL_TOKEN,
                Duration.ofMillis(200));
        java.util.concurrent.BlockingQueue<String> changes = new java.util.concurrent.LinkedBlockingQueue<>();
        reactor.core.Disposable stream = new HttpAppStore(quick).changes().subscribe(changes::add);
        try {
            // The stream starts with a resync; a stream cut by the 200 ms timeout would reconnect
            // and resync again (making every edge cache drop everything) several times a second.
            assertThat(changes.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(AppChanges.RESYNC);
            assertThat(changes.poll(2, java.util.concurrent.TimeUnit.SECONDS)).isNull();
        }
        finally {
            stream.dispose();
        }
    }

    @Test
    void theStartUpProbeSaysWhetherAuthServiceAnswersAndTakesTheToken() {
        startAuthService();
        URI url = URI.create(AuthServiceRunner.baseUrl(context));
        reactor.test.StepVerifier.create(client(url, INTERNAL_TOKEN).probe()).expectComplete()
                .verify(Duration.ofSeconds(30));
        reactor.test.StepVerifier.create(client(url, "wrong-token").probe())
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(AuthUnavailableException.class)
                        .hasMessageContaining("start-up check").hasMessageContaining("internal token"))
                .verify(Duration.ofSeconds(30));
        context.close();
        reactor.test.StepVerifier.create(client(url, INTERNAL_TOKEN).probe())
                .expectError(AuthUnavailableException.class)
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void stoppingTheServiceEndsTheChangeStreamsNormally() {
        startAuthService();
        var stream = org.springframework.web.reactive.function.client.WebClient.create(AuthServiceRunner.baseUrl(context))
                .get().uri("/internal/v1/apps/changes")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + INTERNAL_TOKEN)
                .retrieve()
                .bodyToFlux(new org.springframework.core.ParameterizedTypeReference<
                        org.springframework.http.codec.ServerSentEvent<String>>() {
                })
                .map(event -> event.event() + ":" + event.data());

        // Without the shutdown hook the stream would be cut (an error) when graceful shutdown gives up.
        reactor.test.StepVerifier.create(stream)
                .expectNext("change:" + io.herald.core.app.AppChanges.RESYNC)
                .then(() -> context.close())
                .expectComplete()
                .verify(Duration.ofSeconds(60));
    }

    @Test
    void aStoppedAuthServiceFailsFastAndOpensTheCircuit() {
        startAuthService();
        URI url = URI.create(AuthServiceRunner.baseUrl(context));
        AuthServiceClient client = client(url, INTERNAL_TOKEN);
        AuthVerifier verifier = new HttpAuthVerifier(client);
        String good = ChannelSignatures.token(KEY, SECRET, ChannelSignatures.channelStringToSign("1.1", "private-a",
                null));
        StepVerifier.create(verifier.authorizeChannel(APP, "1.1", "private-a", good, null))
                .expectNext(AuthVerifier.Verdict.OK).expectComplete().verify(Duration.ofSeconds(30));

        context.close();
        context = null;

        // Each call fails with the retryable error (never a verdict), within the timeout and not hanging.
        Flux.range(0, 4).concatMap(i -> verifier.authorizeChannel(APP, "1.1", "private-a", good, null)
                .map(verdict -> "verdict " + verdict)
                .onErrorResume(AuthUnavailableException.class, ex -> reactor.core.publisher.Mono.just("unavailable")))
                .collectList()
                .as(StepVerifier::create)
                .assertNext(results -> assertThat(results).containsOnly("unavailable"))
                .expectComplete().verify(Duration.ofSeconds(30));

        assertThat(client.circuitBreaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        StepVerifier.create(new HttpAppStore(client).findByKey(KEY))
                .expectErrorSatisfies(ex -> assertThat(ex).isInstanceOf(AuthUnavailableException.class)
                        .hasMessageContaining("circuit open").hasCauseInstanceOf(CallNotPermittedException.class))
                .verify(Duration.ofSeconds(30));
    }
}
