package io.vitrine.e2e;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;

/**
 * Runs a test class only where Testcontainers finds a Docker engine; elsewhere the class is skipped, and the reason
 * is both the skip reason in the test report and a line on standard error.
 */
final class DockerAvailable implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ConditionEvaluationResult.enabled("Docker available");
        }
        String reason = "Docker not available: skipping " + context.getDisplayName()
                + " (its Kafka broker, and with -Dvitrine.images=true its services, run in Docker containers"
                + " through Testcontainers)";
        if (context.getTestMethod().isEmpty()) {
            System.err.println(reason);
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
