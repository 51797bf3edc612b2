package io.herald.core.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link ImpossibleConfigurationException} as a start-up failure a person can act on,
 * instead of a stack trace. Registered in core's {@code META-INF/spring.factories}, so every Herald
 * service has it.
 */
public class ImpossibleConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ImpossibleConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ImpossibleConfigurationException cause) {
        return new FailureAnalysis(cause.description(), cause.action(), cause);
    }
}
