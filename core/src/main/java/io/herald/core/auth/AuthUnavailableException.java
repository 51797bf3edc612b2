package io.herald.core.auth;

/** The signature verifier cannot answer now (auth-service down or too slow); retry later. */
public class AuthUnavailableException extends RuntimeException {

    public AuthUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
