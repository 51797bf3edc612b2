package io.herald.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.webhook.WebhookFailureLog.WebhookFailure;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

/** What every {@link WebhookFailureLog} must do, run against each adapter. */
public abstract class WebhookFailureLogContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05.678Z");

    /** A new, empty log keeping {@code keptPerApp} failures per app. */
    protected abstract WebhookFailureLog createLog(int keptPerApp);

    private static WebhookFailure failure(String appId, int attempt) {
        return new WebhookFailure(appId, URI.create("https://example.test/hooks?x=1"), T0.plusSeconds(attempt),
                attempt, attempt % 2 == 0 ? 500 : 0, "attempt " + attempt + " \"failed\"", 3, attempt == 7);
    }

    private static void record(WebhookFailureLog log, WebhookFailure failure) {
        StepVerifier.create(log.record(failure)).expectComplete().verify(TIMEOUT);
    }

    @Test
    void recentFailuresComeBackNewestFirstWithEveryField() {
        WebhookFailureLog log = createLog(100);
        List<WebhookFailure> recorded = IntStream.rangeClosed(1, 7).mapToObj(i -> failure("app-1", i)).toList();
        List<WebhookFailure> newestFirst = new ArrayList<>(recorded);
        Collections.reverse(newestFirst);
        recorded.forEach(f -> record(log, f));

        List<WebhookFailure> recent = log.recent("app-1", 100).collectList().block(TIMEOUT);

        assertThat(recent).containsExactlyElementsOf(newestFirst);
        assertThat(recent.get(0).gaveUp()).isTrue();
    }

    @Test
    void theLimitTakesTheNewest() {
        WebhookFailureLog log = createLog(100);
        IntStream.rangeClosed(1, 5).forEach(i -> record(log, failure("app-1", i)));

        assertThat(log.recent("app-1", 2).collectList().block(TIMEOUT))
                .containsExactly(failure("app-1", 5), failure("app-1", 4));
        assertThat(log.recent("app-1", 0).collectList().block(TIMEOUT)).isEmpty();
    }

    @Test
    void onlyTheMostRecentAreKeptPerApp() {
        WebhookFailureLog log = createLog(3);
        IntStream.rangeClosed(1, 10).forEach(i -> record(log, failure("app-1", i)));
        record(log, failure("app-2", 1));

        assertThat(log.recent("app-1", 100).collectList().block(TIMEOUT))
                .containsExactly(failure("app-1", 10), failure("app-1", 9), failure("app-1", 8));
        assertThat(log.recent("app-2", 100).collectList().block(TIMEOUT)).containsExactly(failure("app-2", 1));
    }

    @Test
    void anAppWithoutFailuresHasNone() {
        WebhookFailureLog log = createLog(100);
        record(log, failure("app-1", 1));

        StepVerifier.create(log.recent("app-3", 100)).expectComplete().verify(TIMEOUT);
    }
}
