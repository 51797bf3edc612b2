package io.herald.deploy;

import io.herald.core.testing.BlockHoundCheck;

/** This module's tests run under BlockHound. */
class BlockHoundInstalledTest extends BlockHoundCheck {
}
