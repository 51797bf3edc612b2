package io.herald.auth.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * auth-service's own settings ({@code herald.auth.*}, next to the client settings of
 * {@link io.herald.core.auth.AuthProperties}, whose {@code internal-token} it also requires).
 *
 * @param adminToken the bearer token that grants every admin operation, at least
 *        {@value #MIN_TOKEN_LENGTH} characters; compared in constant time, never logged. Required by
 *        auth-service on its own ({@link #requireTokens}); in a process with other roles (the
 *        standalone server) it may be left unset, and then the admin API is off: every request to
 *        {@code /admin/**} is refused with 403
 * @param rotationGrace how long a rotated-out secret is still accepted when the rotate request
 *        does not say
 * @param maxRotationGrace the longest grace a rotate request may ask for
 */
@ConfigurationProperties("herald.auth")
public record AuthServiceProperties(
        String adminToken,
        @DefaultValue("1h") Duration rotationGrace,
        @DefaultValue("7d") Duration maxRotationGrace) {

    /** Shorter tokens are refused at start: they can be guessed. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public AuthServiceProperties {
        List<String> problems = new ArrayList<>();
        adminToken = adminToken == null || adminToken.isBlank() ? null : adminToken;
        if (adminToken != null && adminToken.length() < MIN_TOKEN_LENGTH) {
            problems.add("herald.auth.admin-token must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
        if (rotationGrace == null || rotationGrace.isNegative()) {
            problems.add("herald.auth.rotation-grace must be zero or more");
        }
        if (maxRotationGrace == null || maxRotationGrace.isNegative()
                || (rotationGrace != null && maxRotationGrace.compareTo(rotationGrace) < 0)) {
            problems.add("herald.auth.max-rotation-grace must be at least herald.auth.rotation-grace");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid auth-service configuration: " + String.join("; ", problems));
        }
    }

    /** Whether an admin token is configured, i.e. whether the admin API is on. */
    public boolean adminApiEnabled() {
        return adminToken != null;
    }

    /**
     * What auth-service on its own insists on (it has nothing else to serve): both tokens set.
     *
     * @throws IllegalArgumentException naming every missing token, never showing one
     */
    public void requireTokens(String internalToken) {
        List<String> problems = new ArrayList<>();
        if (adminToken == null) {
            problems.add("herald.auth.admin-token must be set (the bearer token of the admin API, at least "
                    + MIN_TOKEN_LENGTH + " characters)");
        }
        if (internalToken == null || internalToken.isBlank()) {
            problems.add("herald.auth.internal-token must be set (the bearer token edges send to /internal, at least "
                    + MIN_TOKEN_LENGTH + " characters)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid auth-service configuration: " + String.join("; ", problems));
        }
    }

    @Override
    public String toString() {
        return "AuthServiceProperties[adminToken=" + (adminToken == null ? "(not set)" : "(set)") + ", rotationGrace="
                + rotationGrace + ", maxRotationGrace=" + maxRotationGrace + "]";
    }
}
