package io.herald.core.testing.archcycle.one;

import io.herald.core.testing.archcycle.two.Two;

/** Half of a deliberate package cycle, so {@code ArchitectureTest} can show its cycle rule fails on one. */
public final class One {

    public Two two() {
        return new Two();
    }
}
