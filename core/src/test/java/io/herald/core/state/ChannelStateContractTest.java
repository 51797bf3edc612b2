package io.herald.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.core.broker.ChannelKey;
import io.herald.core.shard.ShardRouter;
import io.herald.core.state.ChannelState.ChannelSummary;
import io.herald.core.state.ChannelState.JoinResult;
import io.herald.core.state.ChannelState.LeaveResult;
import io.herald.core.state.ChannelState.PresenceMember;
import io.herald.core.state.ChannelState.Transition;
import io.herald.core.state.ChannelState.Transition.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * What every {@link ChannelState} must do, run against each adapter. Each test gets a fresh
 * state; {@link #peer()} is a second handle on the same cluster state, as another node's process
 * would have.
 *
 * <p>Reaping uses real time: a node counts as dead once {@link #NODE_TIMEOUT} has passed since
 * its last heartbeat or join. Live nodes heartbeat right before each reap, so they are never
 * near the timeout; nothing asserts how long anything took.
 */
public abstract class ChannelStateContractTest {

    protected static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    private static final String APP = "app-1";

    protected ChannelState state;

    protected abstract ChannelState createState();

    /** Another handle on the same state (a second process of the cluster); may be {@link #state} itself. */
    protected abstract ChannelState peer();

    protected void close() {
    }

    @BeforeEach
    void createTheState() {
        state = createState();
    }

    @AfterEach
    void closeTheState() {
        close();
    }

    /** A node id unique to the test, so that states sharing a store never mix nodes. */
    private static String node(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static ChannelKey channel(String name) {
        return new ChannelKey(APP, name);
    }

    private JoinResult join(ChannelKey channel, String node, String socket, String user) {
        PresenceMember member = user == null ? null : new PresenceMember(user, "{\"name\":\"" + user + "\"}");
        return state.join(channel, node, socket, member).block(TIMEOUT);
    }

    private LeaveResult leave(ChannelKey channel, String node, String socket, String user) {
        return state.leave(channel, node, socket, user).block(TIMEOUT);
    }

    private long count(ChannelKey channel) {
        return state.subscriptionCount(channel).block(TIMEOUT);
    }

    private Set<String> memberIds(ChannelKey channel) {
        return state.members(channel).block(TIMEOUT).stream().map(PresenceMember::userId).collect(Collectors.toSet());
    }

    @Test
    void announcementsChangeOncePerRealChangeAcrossNodes() {
        ChannelKey channel = channel("announce-" + UUID.randomUUID().toString().substring(0, 6));
        assertThat(state.announce(channel, ChannelState.CHANNEL, true).block(TIMEOUT)).isTrue();
        assertThat(peer().announce(channel, ChannelState.CHANNEL, true).block(TIMEOUT))
                .as("already announced occupied by another node").isFalse();
        assertThat(state.announce(channel, "u1", true).block(TIMEOUT)).isTrue();
        assertThat(peer().announce(channel, "u1", false).block(TIMEOUT)).isTrue();
        assertThat(state.announce(channel, "u1", false).block(TIMEOUT)).as("already announced removed").isFalse();
        assertThat(peer().announce(channel, ChannelState.CHANNEL, false).block(TIMEOUT)).isTrue();
        assertThat(state.announce(channel, ChannelState.CHANNEL, false).block(TIMEOUT)).isFalse();
        assertThat(state.announce(channel, ChannelState.CHANNEL, true).block(TIMEOUT)).as("occupied again").isTrue();
    }

    @Test
    void subscriptionsOnSeveralNodesAreCountedClusterWideAndTheChannelIsOccupiedAndVacatedOnce() {
        ChannelKey channel = channel("my-channel");
        String a = node("a");
        String b = node("b");

        assertThat(join(channel, a, "1.1", null)).isEqualTo(new JoinResult(true, false, false, 1));
        assertThat(join(channel, b, "2.1", null)).isEqualTo(new JoinResult(false, false, false, 2));
        assertThat(join(channel, a, "1.2", null)).isEqualTo(new JoinResult(false, false, false, 3));
        assertThat(count(channel)).isEqualTo(3);

        assertThat(leave(channel, a, "1.1", null)).isEqualTo(new LeaveResult(false, false, 2));
        assertThat(leave(channel, a, "1.2", null)).isEqualTo(new LeaveResult(false, false, 1));
        assertThat(leave(channel, b, "2.1", null)).isEqualTo(new LeaveResult(true, false, 0));
        assertThat(count(channel)).isZero();

        assertThat(join(channel, b, "2.2", null).channelOccupied()).as("occupied again").isTrue();
    }

    @Test
    void aUserOnSeveralConnectionsAndNodesIsOneMemberAddedFirstAndRemovedLast() {
        ChannelKey channel = channel("presence-room");
        String a = node("a");
        String b = node("b");

        assertThat(join(channel, a, "1.1", "u1")).isEqualTo(new JoinResult(true, true, false, 1));
        assertThat(join(channel, a, "1.2", "u1")).isEqualTo(new JoinResult(false, false, false, 2));
        assertThat(join(channel, b, "2.1", "u1")).isEqualTo(new JoinResult(false, false, false, 3));
        assertThat(join(channel, b, "2.2", "u2")).isEqualTo(new JoinResult(false, true, false, 4));

        StepVerifier.create(state.members(channel))
                .assertNext(members -> assertThat(members).containsExactlyInAnyOrder(
                        new PresenceMember("u1", "{\"name\":\"u1\"}"), new PresenceMember("u2", "{\"name\":\"u2\"}")))
                .expectComplete()
                .verify(TIMEOUT);

        assertThat(leave(channel, a, "1.1", "u1")).isEqualTo(new LeaveResult(false, false, 3));
        assertThat(leave(channel, b, "2.1", "u1")).isEqualTo(new LeaveResult(false, false, 2));
        assertThat(memberIds(channel)).containsExactlyInAnyOrder("u1", "u2");
        assertThat(leave(channel, a, "1.2", "u1")).isEqualTo(new LeaveResult(false, true, 1));
        assertThat(memberIds(channel)).containsExactly("u2");
        assertThat(leave(channel, b, "2.2", "u2")).isEqualTo(new LeaveResult(true, true, 0));
        assertThat(memberIds(channel)).isEmpty();
    }

    @Test
    void rejoinRecordsASubscriptionAgainWithoutAnnouncingAndALaterLeaveIsAnnounced() {
        ChannelKey channel = channel("presence-rejoined-" + UUID.randomUUID().toString().substring(0, 6));
        String a = node("a");
        String b = node("b");
        PresenceMember u1 = new PresenceMember("u1", "{\"name\":\"u1\"}");

        state.rejoin(channel, a, "1.1", u1).block(TIMEOUT);
        state.rejoin(channel, a, "1.1", u1).block(TIMEOUT);
        assertThat(count(channel)).as("rejoining a recorded socket changes nothing").isEqualTo(1);
        assertThat(state.members(channel).block(TIMEOUT)).containsExactly(u1);
        assertThat(state.channels(APP, "presence-rejoined-").collectList().block(TIMEOUT))
                .containsExactly(new ChannelSummary(channel.channel(), 1, 1L));

        assertThat(join(channel, b, "2.1", "u1")).as("u1 and the channel were there all along")
                .isEqualTo(new JoinResult(false, false, false, 2));
        assertThat(peer().announce(channel, ChannelState.CHANNEL, true).block(TIMEOUT))
                .as("the channel counts as announced occupied").isFalse();
        assertThat(peer().announce(channel, "u1", true).block(TIMEOUT)).as("u1 counts as announced added").isFalse();

        assertThat(leave(channel, a, "1.1", "u1")).isEqualTo(new LeaveResult(false, false, 1));
        assertThat(leave(channel, b, "2.1", "u1")).isEqualTo(new LeaveResult(true, true, 0));
        assertThat(peer().announce(channel, "u1", false).block(TIMEOUT)).as("u1's removal is announced").isTrue();
        assertThat(peer().announce(channel, ChannelState.CHANNEL, false).block(TIMEOUT))
                .as("the channel's vacating is announced").isTrue();
    }

    @Test
    void rejoinAppliesNoMemberLimitAndCountsPublicSubscriptions() {
        ChannelKey presence = channel("presence-full-rejoin");
        ChannelKey open = channel("open-rejoin");
        String a = node("a");
        assertThat(state.join(presence, a, "1.1", new PresenceMember("u1", null), 1).block(TIMEOUT).memberAdded())
                .isTrue();
        state.rejoin(presence, a, "1.2", new PresenceMember("u2", null)).block(TIMEOUT);
        assertThat(memberIds(presence)).containsExactlyInAnyOrder("u1", "u2");

        state.rejoin(open, a, "1.1", null).block(TIMEOUT);
        state.rejoin(open, a, "1.2", null).block(TIMEOUT);
        assertThat(count(open)).isEqualTo(2);
        assertThat(memberIds(open)).isEmpty();
        assertThat(join(open, a, "1.3", null)).isEqualTo(new JoinResult(false, false, false, 3));
    }

    @Test
    void aStoreThatLostNothingReportsNoLoss() {
        join(channel("kept"), node("a"), "1.1", null);
        assertThat(state.checkForLosses().collectList().block(TIMEOUT)).isEmpty();
        assertThat(state.checkForLosses().collectList().block(TIMEOUT)).isEmpty();
    }

    @Test
    void aMemberWithoutUserInfoHasNull() {
        ChannelKey channel = channel("presence-no-info");
        state.join(channel, node("a"), "1.1", new PresenceMember("u1", null)).block(TIMEOUT);

        assertThat(state.members(channel).block(TIMEOUT)).containsExactly(new PresenceMember("u1", null));
    }

    @Test
    void aFullPresenceChannelRefusesNewUsersAndRecordsNothingButAcceptsMoreConnectionsOfMembers() {
        ChannelKey channel = channel("presence-full");
        String a = node("a");
        String b = node("b");
        assertThat(state.join(channel, a, "1.1", new PresenceMember("u1", null), 2).block(TIMEOUT).memberAdded()).isTrue();
        assertThat(state.join(channel, b, "2.1", new PresenceMember("u2", null), 2).block(TIMEOUT).memberAdded()).isTrue();

        JoinResult refused = state.join(channel, b, "2.2", new PresenceMember("u3", null), 2).block(TIMEOUT);

        assertThat(refused).isEqualTo(new JoinResult(false, false, true, 2));
        assertThat(count(channel)).isEqualTo(2);
        assertThat(memberIds(channel)).containsExactlyInAnyOrder("u1", "u2");
        assertThat(leave(channel, b, "2.2", "u3")).as("nothing was recorded for the refused socket")
                .isEqualTo(new LeaveResult(false, false, 2));
        assertThat(state.join(channel, b, "2.3", new PresenceMember("u1", null), 2).block(TIMEOUT))
                .isEqualTo(new JoinResult(false, false, false, 3));
    }

    @Test
    void theDefaultMemberLimitIsPushers() {
        ChannelKey channel = channel("presence-hundred");
        String a = node("a");
        for (int i = 0; i < ChannelState.DEFAULT_MAX_PRESENCE_MEMBERS; i++) {
            assertThat(join(channel, a, "1." + i, "u" + i).memberAdded()).isTrue();
        }
        assertThat(join(channel, a, "1.x", "one-too-many").memberLimitReached()).isTrue();
    }

    @Test
    void leaveIsIdempotentAndJoinTwiceCountsOnce() {
        ChannelKey channel = channel("presence-idem");
        String a = node("a");

        assertThat(leave(channel, a, "9.9", "nobody")).isEqualTo(new LeaveResult(false, false, 0));
        join(channel, a, "1.1", "u1");
        assertThat(join(channel, a, "1.1", "u1")).isEqualTo(new JoinResult(false, false, false, 1));
        join(channel, a, "1.2", "u2");

        assertThat(leave(channel, a, "1.1", "u1")).isEqualTo(new LeaveResult(false, true, 1));
        assertThat(leave(channel, a, "1.1", "u1")).isEqualTo(new LeaveResult(false, false, 1));
        assertThat(leave(channel, node("other"), "1.2", "u2")).as("another node's socket of the same id")
                .isEqualTo(new LeaveResult(false, false, 1));
        assertThat(leave(channel, a, "1.2", "u2")).isEqualTo(new LeaveResult(true, true, 0));
        assertThat(leave(channel, a, "1.2", "u2")).isEqualTo(new LeaveResult(false, false, 0));
    }

    @Test
    void unknownChannelsAreEmpty() {
        assertThat(count(channel("never"))).isZero();
        assertThat(state.members(channel("presence-never")).block(TIMEOUT)).isEmpty();
        StepVerifier.create(state.channels("no-such-app", "")).expectComplete().verify(TIMEOUT);
    }

    @Test
    void channelsListsTheOccupiedChannelsOfOneAppByPrefixOnEveryShard() {
        String a = node("a");
        String b = node("b");
        List<String> presence = IntStream.range(0, 6).mapToObj(i -> "presence-room-" + i).toList();
        List<String> others = IntStream.range(0, 6).mapToObj(i -> "chat-" + i).toList();
        // so that a two-shard Redis store is exercised on both shards
        assertThat(presence.stream().map(c -> new ShardRouter(2).shardOf(APP, c)).distinct()).hasSize(2);
        for (String name : presence) {
            join(channel(name), a, "1.1", "u1");
            join(channel(name), b, "2.1", "u1");
            join(channel(name), b, "2.2", "u2");
        }
        for (String name : others) {
            join(channel(name), a, "1.1", null);
        }
        join(channel("private-chat"), a, "1.1", null);
        join(channel("private-chat"), b, "2.1", null);
        join(new ChannelKey("app-2", "presence-room-0"), a, "1.1", "u9");
        join(channel("presence-left"), a, "1.1", "u1");
        leave(channel("presence-left"), a, "1.1", "u1");

        List<ChannelSummary> presenceOnly = state.channels(APP, "presence-").collectList().block(TIMEOUT);
        assertThat(presenceOnly).containsExactlyInAnyOrderElementsOf(
                presence.stream().map(name -> new ChannelSummary(name, 3, 2L)).toList());

        List<ChannelSummary> all = state.channels(APP, "").collectList().block(TIMEOUT);
        List<ChannelSummary> expected = new ArrayList<>(presenceOnly);
        others.forEach(name -> expected.add(new ChannelSummary(name, 1, null)));
        expected.add(new ChannelSummary("private-chat", 2, null));
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected);

        assertThat(state.channels(APP, "private-").collectList().block(TIMEOUT))
                .containsExactly(new ChannelSummary("private-chat", 2, null));
        assertThat(state.channels(APP, "chat-[").collectList().block(TIMEOUT)).as("glob characters are literal")
                .isEmpty();
        assertThat(state.channels("app-2", null).collectList().block(TIMEOUT))
                .containsExactly(new ChannelSummary("presence-room-0", 1, 1L));
    }

    @Test
    void aDeadNodesShareIsReapedWithItsTransitionsWhileLiveNodesKeepTheirs() {
        String dead = node("dead");
        String live = node("live");
        List<String> solo = IntStream.range(0, 6).mapToObj(i -> "presence-solo-" + i).toList();
        List<Transition> expected = new ArrayList<>();
        for (String name : solo) {
            join(channel(name), dead, "1.1", "u1");
            join(channel(name), dead, "1.2", "u1");
            expected.add(new Transition(channel(name), Kind.MEMBER_REMOVED, "u1"));
            expected.add(new Transition(channel(name), Kind.CHANNEL_VACATED, null));
        }
        // shared: the dead node's u1 goes, its u2 stays because the live node has u2 too
        ChannelKey shared = channel("presence-shared");
        join(shared, dead, "1.1", "u1");
        join(shared, dead, "1.2", "u2");
        join(shared, live, "2.1", "u2");
        expected.add(new Transition(shared, Kind.MEMBER_REMOVED, "u1"));
        ChannelKey publicOnlyDead = channel("public-dead");
        join(publicOnlyDead, dead, "1.1", null);
        expected.add(new Transition(publicOnlyDead, Kind.CHANNEL_VACATED, null));
        ChannelKey publicShared = channel("public-shared");
        join(publicShared, dead, "1.1", null);
        join(publicShared, live, "2.1", null);
        ChannelKey liveOnly = channel("presence-live");
        join(liveOnly, live, "2.1", "u7");

        List<Transition> reaped = new ArrayList<>();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            state.heartbeat(live).block(TIMEOUT);
            reaped.addAll(state.reapDeadNodes(NODE_TIMEOUT).collectList().block(TIMEOUT));
            return !reaped.isEmpty();
        });

        assertThat(reaped).containsExactlyInAnyOrderElementsOf(expected);
        state.heartbeat(live).block(TIMEOUT);
        assertThat(state.reapDeadNodes(NODE_TIMEOUT).collectList().block(TIMEOUT)).as("reaped once").isEmpty();

        assertThat(memberIds(shared)).containsExactly("u2");
        assertThat(count(shared)).isEqualTo(1);
        assertThat(count(publicShared)).isEqualTo(1);
        assertThat(count(publicOnlyDead)).isZero();
        assertThat(memberIds(liveOnly)).containsExactly("u7");
        solo.forEach(name -> assertThat(count(channel(name))).isZero());
        assertThat(state.channels(APP, "").map(ChannelSummary::channel).collectList().block(TIMEOUT))
                .containsExactlyInAnyOrder("presence-shared", "public-shared", "presence-live");
        // the dead node's late leaves change nothing
        assertThat(leave(shared, dead, "1.2", "u2")).isEqualTo(new LeaveResult(false, false, 1));
    }

    @Test
    void twoRacingReapersReturnEachTransitionOnce() throws Exception {
        String dead = node("dead");
        String live = node("live");
        List<Transition> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ChannelKey channel = channel("presence-race-" + i);
            join(channel, dead, "1.1", "u1");
            expected.add(new Transition(channel, Kind.MEMBER_REMOVED, "u1"));
            expected.add(new Transition(channel, Kind.CHANNEL_VACATED, null));
        }
        join(channel("presence-race-0"), live, "2.1", "u2");
        expected.remove(new Transition(channel("presence-race-0"), Kind.CHANNEL_VACATED, null));
        Instant deadSince = Instant.now();
        // the dead node is past its timeout (a margin for the store's clock); the live node heartbeats
        await().atMost(TIMEOUT).until(() -> Instant.now().isAfter(deadSince.plus(NODE_TIMEOUT).plusMillis(200)));
        state.heartbeat(live).block(TIMEOUT);

        ChannelState other = peer();
        // two threads of our own (not Reactor's shared schedulers, which other tests may replace)
        ExecutorService threads = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        List<Transition> all = new ArrayList<>();
        try {
            List<Future<List<Transition>>> results = new ArrayList<>();
            for (ChannelState reaper : List.of(state, other)) {
                results.add(threads.submit(() -> {
                    start.await();
                    return reaper.reapDeadNodes(NODE_TIMEOUT).collectList().block(TIMEOUT);
                }));
            }
            start.countDown();
            for (Future<List<Transition>> result : results) {
                all.addAll(result.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
        }
        finally {
            threads.shutdownNow();
        }
        assertThat(all).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(memberIds(channel("presence-race-0"))).containsExactly("u2");
    }

    @Test
    void aNodeThatKeepsHeartbeatingIsNeverReaped() {
        String live = node("live");
        ChannelKey channel = channel("presence-alive");
        join(channel, live, "1.1", "u1");
        Instant joined = Instant.now();

        // several reaps over more than a node timeout, each right after a heartbeat
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            state.heartbeat(live).block(TIMEOUT);
            assertThat(state.reapDeadNodes(NODE_TIMEOUT).collectList().block(TIMEOUT)).isEmpty();
            return Instant.now().isAfter(joined.plus(NODE_TIMEOUT.multipliedBy(2)));
        });

        assertThat(memberIds(channel)).containsExactly("u1");
        assertThat(count(channel)).isEqualTo(1);
    }

    @Test
    void callsAreLazy() {
        Mono<JoinResult> join = state.join(channel("lazy"), node("a"), "1.1", null);
        assertThat(count(channel("lazy"))).isZero();
        join.block(TIMEOUT);
        assertThat(count(channel("lazy"))).isEqualTo(1);
    }
}
