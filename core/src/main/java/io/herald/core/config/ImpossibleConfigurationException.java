package io.herald.core.config;

import java.util.Objects;

/**
 * A configuration this process cannot serve: a combination of properties under which every
 * request, or every request of some kind, would fail. Thrown at start, before anything is served,
 * and reported by {@link ImpossibleConfigurationFailureAnalyzer} as Spring Boot's
 * "APPLICATION FAILED TO START" with a description and an action.
 *
 * <p>Messages name properties, never their values: a value may hold a credential.
 */
public class ImpossibleConfigurationException extends RuntimeException {

    private final String description;
    private final String action;

    /**
     * @param description what is configured and why it cannot work
     * @param action what to change, naming the property to remove or set
     */
    public ImpossibleConfigurationException(String description, String action) {
        super(Objects.requireNonNull(description, "description") + " " + Objects.requireNonNull(action, "action"));
        this.description = description;
        this.action = action;
    }

    /** What is configured and why it cannot work. */
    public String description() {
        return description;
    }

    /** What to change. */
    public String action() {
        return action;
    }
}
