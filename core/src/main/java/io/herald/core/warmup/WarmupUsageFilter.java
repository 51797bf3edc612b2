package io.herald.core.warmup;

import io.herald.core.usage.UsageQuantity;
import io.herald.core.usage.UsageSink;

/** The node's usage counting, minus the warm-up app's connections and messages. */
final class WarmupUsageFilter implements UsageSink {

    private final UsageSink delegate;
    private final WarmupApp warmup;

    WarmupUsageFilter(UsageSink delegate, WarmupApp warmup) {
        this.delegate = delegate;
        this.warmup = warmup;
    }

    @Override
    public void record(String appId, UsageQuantity quantity, long count) {
        if (!warmup.isWarmupApp(appId)) {
            delegate.record(appId, quantity, count);
        }
    }

    @Override
    public void connectionOpened(String appId) {
        if (!warmup.isWarmupApp(appId)) {
            delegate.connectionOpened(appId);
        }
    }

    @Override
    public void connectionClosed(String appId) {
        if (!warmup.isWarmupApp(appId)) {
            delegate.connectionClosed(appId);
        }
    }
}
