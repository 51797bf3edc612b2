package io.herald.core.testing.archcycle.two;

import io.herald.core.testing.archcycle.one.One;

/** The other half of the deliberate cycle of {@link One}. */
public final class Two {

    public One one() {
        return new One();
    }
}
