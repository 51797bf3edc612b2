package io.herald.core.ratelimit;

import io.herald.core.testing.TestClock;

class InMemoryRateLimiterTest extends RateLimiterContractTest {

    @Override
    protected RateLimiter newLimiter(TestClock clock) {
        return new InMemoryRateLimiter(clock);
    }
}
