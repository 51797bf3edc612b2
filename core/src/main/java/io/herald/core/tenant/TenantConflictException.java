package io.herald.core.tenant;

/**
 * A tenant id, a username or an app is already taken (by this or another tenant). The message says
 * which, never a password or its hash.
 */
public class TenantConflictException extends RuntimeException {

    public TenantConflictException(String message) {
        super(message);
    }
}
