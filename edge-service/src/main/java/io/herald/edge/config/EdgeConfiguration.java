package io.herald.edge.config;

import io.herald.core.config.BeforeServerStops;
import io.herald.core.app.AppStore;
import io.herald.core.broker.Broker;
import io.herald.core.config.HeraldCoreConfiguration;
import io.herald.core.auth.AuthVerifier;
import io.herald.core.state.ChannelCache;
import io.herald.core.state.ChannelState;
import io.herald.core.state.ChannelStateProperties;
import io.herald.core.state.InMemoryChannelState;
import io.herald.core.usage.UsageSink;
import io.herald.core.debug.DebugConsole;
import io.herald.core.webhook.WebhookQueue;
import io.herald.edge.ChannelNotifier;
import io.herald.edge.ChannelStateRebuild;
import io.herald.edge.ChannelSubscriptions;
import io.herald.edge.ClientEvents;
import io.herald.edge.ConnectionRegistry;
import io.herald.edge.EdgeNode;
import io.herald.edge.EdgeNodeId;
import io.herald.core.config.RateLimitCoreConfiguration;
import io.herald.core.ratelimit.ConnectionQuota;
import io.herald.edge.IncidentLog;
import io.herald.edge.StateCommandLimit;
import io.herald.edge.StateRepairs;
import io.herald.edge.SubscriptionCounts;
import io.herald.edge.UserSignin;
import io.herald.edge.Watchlists;
import io.herald.edge.LocalFanout;
import io.herald.edge.PusherSessions;
import io.herald.edge.web.PusherWebSocketRoute;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.herald.edge.EdgeDrain;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import reactor.core.scheduler.Schedulers;

/**
 * The edge role: the Pusher WebSocket endpoint at {@code /app/{key}} and this node's local
 * fan-out. A Spring Boot auto-configuration, on only with {@value #ENABLED}{@code =true}
 * ({@code EdgeServiceApplication} and the standalone server set it); off, it declares no bean and
 * no route. No component scanning; every bean can be replaced by declaring one of the same type
 * (auto-configurations are processed after the application's own configuration).
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(EdgeConfiguration.ENABLED)
@Import({ HeraldCoreConfiguration.class, RateLimitCoreConfiguration.class })
@EnableConfigurationProperties(EdgeProperties.class)
public class EdgeConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EdgeConfiguration.class);

    /** The role's switch. */
    public static final String ENABLED = "herald.edge.enabled";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ConnectionRegistry connectionRegistry(EdgeProperties properties, ObjectProvider<MeterRegistry> meters,
            ObjectProvider<UsageSink> usage) {
        return new ConnectionRegistry(properties, meters.getIfAvailable(SimpleMeterRegistry::new), System::nanoTime,
                Schedulers.parallel(), usage.getIfAvailable(() -> UsageSink.NONE));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public LocalFanout localFanout(Broker broker, ObjectProvider<MeterRegistry> meters,
            ObjectProvider<UsageSink> usage) {
        return new LocalFanout(broker, meters.getIfAvailable(SimpleMeterRegistry::new),
                usage.getIfAvailable(() -> UsageSink.NONE));
    }

    /** This node's id in the channel state: unique per process start. */
    @Bean
    @ConditionalOnMissingBean
    public EdgeNodeId edgeNodeId() {
        return EdgeNodeId.generate();
    }

    @Bean
    @ConditionalOnMissingBean
    public ChannelNotifier channelNotifier(Broker broker, WebhookQueue webhooks, ChannelState state, Clock clock,
            EdgeProperties properties) {
        return new ChannelNotifier(broker, webhooks, state, clock, Schedulers.parallel(),
                properties.webhookLeaveDelay());
    }

    @Bean
    @ConditionalOnMissingBean
    public ChannelSubscriptions channelSubscriptions(EdgeProperties properties, LocalFanout fanout, AuthVerifier auth,
            ChannelState state, ChannelCache cache, ChannelNotifier notifier, SubscriptionCounts counts,
            EdgeNodeId nodeId, StateCommandLimit limit, StateRepairs repairs, IncidentLog incidents,
            ObjectProvider<MeterRegistry> meters, DebugConsole debug, Clock clock, EdgeDrain drain) {
        return new ChannelSubscriptions(properties, fanout, auth, state, cache, notifier, counts, nodeId.value(),
                limit, repairs, incidents, meters.getIfAvailable(SimpleMeterRegistry::new), debug, clock, drain);
    }

    /**
     * This node leaving: turns readiness to {@code REFUSING_TRAFFIC} and bounces new connections
     * (4200 at once) when the drain begins, and defers the channel-state leaves of connections closed meanwhile by
     * {@code herald.edge.drain-handover}. With the channel state in this process's memory (the
     * standalone server without Redis) no other node can take the clients over: no handover.
     */
    @Bean
    @ConditionalOnMissingBean
    public EdgeDrain edgeDrainState(EdgeProperties properties, ChannelState state, ApplicationEventPublisher events) {
        Duration handover = state instanceof InMemoryChannelState ? Duration.ZERO : properties.drainHandover();
        return new EdgeDrain(handover, Schedulers.parallel(),
                () -> AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC));
    }

    /** This node's bound on channel-state commands in flight ({@code herald.edge.max-state-commands-in-flight}). */
    @Bean
    @ConditionalOnMissingBean
    public StateCommandLimit stateCommandLimit(EdgeProperties properties) {
        return new StateCommandLimit(properties.maxStateCommandsInFlight());
    }

    /** Channel-state undos that failed, retried until recorded. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public StateRepairs stateRepairs(StateCommandLimit limit, IncidentLog incidents,
            ObjectProvider<MeterRegistry> meters, EdgeProperties properties) {
        return new StateRepairs(limit, incidents, meters.getIfAvailable(SimpleMeterRegistry::new),
                Schedulers.parallel(), properties.stateRepairInterval());
    }

    /** One log line per incident of the subscription paths, with a count. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public IncidentLog edgeIncidentLog(Clock clock) {
        return new IncidentLog(clock, Schedulers.parallel());
    }

    @Bean
    @ConditionalOnMissingBean
    public SubscriptionCounts subscriptionCounts(ChannelState state, ChannelNotifier notifier, Clock clock) {
        return new SubscriptionCounts(state, notifier, Schedulers.parallel(), clock);
    }

    @Bean
    @ConditionalOnMissingBean
    public ClientEvents clientEvents(ChannelNotifier notifier, ObjectProvider<UsageSink> usage, DebugConsole debug,
            Clock clock) {
        return new ClientEvents(notifier, System::nanoTime, usage.getIfAvailable(() -> UsageSink.NONE), debug, clock);
    }

    @Bean
    @ConditionalOnMissingBean
    public UserSignin userSignin(AuthVerifier auth, ChannelSubscriptions subscriptions, Watchlists watchlists) {
        return new UserSignin(auth, subscriptions, watchlists);
    }

    @Bean
    @ConditionalOnMissingBean
    public Watchlists watchlists(LocalFanout fanout, ChannelState state, ChannelNotifier notifier, EdgeNodeId nodeId,
            StateCommandLimit limit, StateRepairs repairs, IncidentLog incidents, EdgeDrain drain) {
        return new Watchlists(fanout, state, notifier, nodeId.value(), limit, repairs, incidents, drain);
    }

    @Bean
    @ConditionalOnMissingBean
    public PusherSessions pusherSessions(EdgeProperties properties, ConnectionRegistry registry,
            ChannelSubscriptions subscriptions, ClientEvents clientEvents, UserSignin signin, DebugConsole debug,
            Clock clock, EdgeDrain drain) {
        return new PusherSessions(properties, registry, subscriptions, clientEvents, signin, debug, clock, drain);
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public EdgeNode edgeNode(EdgeNodeId nodeId, ChannelState state, ChannelNotifier notifier, AppStore apps,
            ConnectionRegistry registry, ChannelStateProperties stateProperties) {
        return new EdgeNode(nodeId.value(), state, notifier, apps, registry, stateProperties.heartbeatInterval(),
                stateProperties.nodeTimeout(), Schedulers.parallel());
    }

    /** Records this node's share of the channel state again when a channel shard lost it (restarted empty). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public ChannelStateRebuild channelStateRebuild(EdgeNodeId nodeId, ChannelState state, ConnectionRegistry registry,
            ChannelNotifier notifier, ChannelStateProperties stateProperties) {
        return new ChannelStateRebuild(nodeId.value(), state, registry, notifier,
                stateProperties.epochCheckInterval(), Schedulers.parallel(), System::nanoTime);
    }

    /**
     * The WebSocket endpoint {@code /app/{key}}, as a Reactor Netty route below Spring's
     * dispatcher (Spring Boot applies every {@link org.springframework.boot.reactor.netty.NettyRouteProvider}
     * bean to its server), with the inbound frame size limit.
     */
    @Bean
    @ConditionalOnMissingBean
    public PusherWebSocketRoute pusherWebSocketRoute(AppStore apps, PusherSessions sessions,
            EdgeProperties properties, ConnectionQuota connectionQuota) {
        int maxFrame = (int) Math.min(Integer.MAX_VALUE, properties.maxFrameSize().toBytes());
        return new PusherWebSocketRoute(apps, sessions, properties.minProtocol(), properties.maxProtocol(),
                connectionQuota, maxFrame);
    }

    /**
     * On shutdown, before the web server stops: turns readiness to refusing and bounces new
     * connections ({@link EdgeDrain#begin}), tells clients to reconnect (4200) so that they move to
     * another node, spread over {@code herald.edge.drain-period}, waits up to
     * {@code herald.edge.drain-timeout} for them to go, then up to {@code herald.edge.drain-handover}
     * more for the channel-state leaves they left behind to be recorded. Runs on the thread that
     * closes the context (the JVM's shutdown hook on SIGTERM), never on an event loop: it sleeps.
     */
    @Bean
    public SmartLifecycle edgeDrain(ConnectionRegistry registry, EdgeDrain drain, EdgeProperties properties) {
        return new BeforeServerStops(() -> {
            drain.begin();
            registry.drain(properties.drainPeriod());
            long start = System.nanoTime();
            long connectionsDeadline = start + properties.drainTimeout().toNanos();
            long leavesDeadline = connectionsDeadline + properties.drainHandover().toNanos();
            if (!BeforeServerStops.waitWhile(() -> registry.size() > 0, connectionsDeadline)
                    || !BeforeServerStops.waitWhile(() -> drain.pendingLeaves() > 0, leavesDeadline)) {
                return;
            }
            log.info("Drained in {} ms: {} connection(s) still open, {} channel-state leave(s) not recorded",
                    Duration.ofNanos(System.nanoTime() - start).toMillis(), registry.size(), drain.pendingLeaves());
        });
    }
}
