package io.herald.core.debug;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import static org.awaitility.Awaitility.await;

/** The console of one process: only watched apps are emitted, and a slow watcher is told what it lost. */
class InMemoryDebugConsoleTest {

    private static DebugEvent event(String appId, String data) {
        return DebugEvent.apiMessage(appId, Instant.now(), "ch", "ev", data, null);
    }

    @Test
    void anAppIsWatchedOnlyWhileSomebodyWatchesIt() {
        InMemoryDebugConsole console = new InMemoryDebugConsole(16, Clock.systemUTC());
        assertThat(console.watched("app-a")).isFalse();
        List<DebugNotice> got = new CopyOnWriteArrayList<>();
        Disposable one = console.watch("app-a").subscribe(got::add);
        Disposable two = console.watch("app-a").subscribe();
        assertThat(console.watched("app-a")).isTrue();
        assertThat(console.watched("app-b")).isFalse();

        console.emit(event("app-b", "not watched"));
        console.emit(event("app-a", "watched"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !got.isEmpty());
        assertThat(got).singleElement().extracting(n -> ((DebugEvent) n).data()).isEqualTo("watched");

        one.dispose();
        assertThat(console.watched("app-a")).isTrue();
        two.dispose();
        assertThat(console.watched("app-a")).isFalse();
    }

    @Test
    void aWatcherThatDoesNotKeepUpLosesEventsAndIsToldHowMany() {
        InMemoryDebugConsole console = new InMemoryDebugConsole(4, Clock.systemUTC());
        List<DebugNotice> got = new CopyOnWriteArrayList<>();
        BaseSubscriber<DebugNotice> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
                // Requests nothing yet: a console that does not read.
            }

            @Override
            protected void hookOnNext(DebugNotice notice) {
                got.add(notice);
            }
        };
        console.watch("app-a").subscribe(slow);
        for (int i = 0; i < 500; i++) {
            console.emit(event("app-a", "e" + i));
        }
        slow.request(Long.MAX_VALUE);
        console.emit(event("app-a", "last"));
        await().atMost(Duration.ofSeconds(10)).until(() -> got.stream()
                .anyMatch(n -> n instanceof DebugEvent e && e.data().equals("last")));
        slow.dispose();
        long events = got.stream().filter(DebugEvent.class::isInstance).count();
        long dropped = got.stream().filter(DebugNotice.Dropped.class::isInstance)
                .mapToLong(n -> ((DebugNotice.Dropped) n).count()).sum();
        assertThat(dropped).isPositive();
        assertThat(events + dropped).isEqualTo(501);
        assertThat(events).isLessThan(100); // bounded: the buffer and the stream's small prefetches
    }
}
