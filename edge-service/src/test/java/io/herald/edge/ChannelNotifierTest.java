package io.herald.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.core.app.App;
import io.herald.core.app.AppFeatures;
import io.herald.core.app.AppLimits;
import io.herald.core.app.Webhook;
import io.herald.core.broker.ChannelKey;
import io.herald.core.broker.InMemoryBroker;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.state.InMemoryChannelState;
import io.herald.core.webhook.WebhookEvent;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Occupancy and presence webhooks are sent once per real change, with Pusher's delay on leaving. */
class ChannelNotifierTest {

    final App app = new App("a", "k", "s", "a", true, AppLimits.DEFAULTS, AppFeatures.DEFAULTS,
            List.of(new Webhook(URI.create("http://hooks.invalid/"), Set.of())), null, null);
    final InMemoryChannelState state = new InMemoryChannelState(Clock.systemUTC());
    final List<String> sent = new CopyOnWriteArrayList<>();
    final VirtualTimeScheduler time = VirtualTimeScheduler.create();
    final ChannelNotifier notifier = new ChannelNotifier(new InMemoryBroker(), event -> {
        sent.add(describe(event));
        return Mono.empty();
    }, state, Clock.systemUTC(), time, Duration.ofSeconds(3));

    static String describe(WebhookEvent event) {
        return event.type().wireName() + (event.userId() == null ? "" : ":" + event.userId());
    }

    final ChannelKey room = new ChannelKey("a", "presence-room");

    @Test
    void aRealLeaveIsAnnouncedAfterTheDelay() {
        state.join(room, "n1", "1.1", new PresenceMember("u", null), 100).block();
        notifier.occupied(app, room.channel());
        notifier.memberAdded(app, room.channel(), "u");
        state.leave(room, "n1", "1.1", "u").block();
        notifier.memberRemoved(app, room.channel(), "u");
        notifier.vacated(app, room.channel());
        assertThat(sent).containsExactly("channel_occupied", "member_added:u");

        time.advanceTimeBy(Duration.ofSeconds(3));
        assertThat(sent).containsExactlyInAnyOrder("channel_occupied", "member_added:u", "member_removed:u",
                "channel_vacated");
    }

    @Test
    void leavingAndComingBackWithinTheDelayAnnouncesNothing() {
        state.join(room, "n1", "1.1", new PresenceMember("u", null), 100).block();
        notifier.occupied(app, room.channel());
        notifier.memberAdded(app, room.channel(), "u");
        state.leave(room, "n1", "1.1", "u").block();
        notifier.memberRemoved(app, room.channel(), "u");
        notifier.vacated(app, room.channel());
        // The user reconnects (to any node) before the delay is over.
        state.join(room, "n2", "2.2", new PresenceMember("u", null), 100).block();
        notifier.occupied(app, room.channel());
        notifier.memberAdded(app, room.channel(), "u");

        time.advanceTimeBy(Duration.ofSeconds(3));
        assertThat(sent).containsExactly("channel_occupied", "member_added:u");
    }
}
