package io.herald.core.state;

import java.time.Clock;

/** The channel-state contract in memory: one process, several node ids. */
class InMemoryChannelStateTest extends ChannelStateContractTest {

    @Override
    protected ChannelState createState() {
        return new InMemoryChannelState(Clock.systemUTC());
    }

    @Override
    protected ChannelState peer() {
        return state;
    }
}
