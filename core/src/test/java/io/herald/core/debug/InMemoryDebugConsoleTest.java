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
        await().atMost(Duration.ofSeconds(30)).until(() -> !got.isEmpty());
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
        // The watcher drains its full buffer on another thread, so an event emitted right after the
        // request may still find the buffer full and be dropped too: emit markers until the newest
        // one arrives. Every drop before it is then reported, before it.
        int emitted = 500;
        String marker = null;
        for (int k = 0; k < 100 && !arrived(got, marker); k++) {
            marker = "last-" + k;
            console.emit(event("app-a", marker));
            emitted++;
            String expected = marker;
            try {
                await().atMost(Duration.ofSeconds(1)).until(() -> arrived(got, expected));
            } catch (org.awaitility.core.ConditionTimeoutException notYet) {
                // dropped (or slow): emit the next marker
            }
        }
        assertThat(arrived(got, marker)).as("a marker emitted after the watcher reads again arrives").isTrue();
        slow.dispose();
        long events = got.stream().filter(DebugEvent.class::isInstance).count();
        long dropped = got.stream().filter(DebugNotice.Dropped.class::isInstance)
                .mapToLong(n -> ((DebugNotice.Dropped) n).count()).sum();
        assertThat(dropped).isPositive();
        assertThat(events + dropped).isEqualTo(emitted);
        assertThat(events).isLessThan(200); // bounded: the buffer, the stream's small prefetches and the markers
    }

    private static boolean arrived(List<DebugNotice> got, String data) {
        return data != null && got.stream().anyMatch(n -> n instanceof DebugEvent e && e.data().equals(data));
    }
}
