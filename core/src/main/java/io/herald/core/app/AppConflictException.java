package io.herald.core.app;

/** A new app's id or key is already taken. The message names which, never a secret. */
public class AppConflictException extends RuntimeException {

    public AppConflictException(String message) {
        super(message);
    }
}
