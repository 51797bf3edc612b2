package io.herald.publish.web;

import io.herald.core.app.App;
import java.util.Objects;

/**
 * An HTTP API request whose signature has been checked: the enabled app it was signed for and
 * its raw body.
 *
 * @param app the app, enabled
 * @param body the raw body bytes; empty for none. Callers must not modify the array.
 */
public record SignedRequest(App app, byte[] body) {

    public SignedRequest {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(body, "body");
    }
}
