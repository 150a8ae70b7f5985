package io.vitrine.learner.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the streams have been assigned their tasks and no state store is restoring: a learner that is
 * still rebuilding its posteriors from the changelog would answer queries with partial statistics. A later
 * rebalance alone does not make it unready (the instances keep serving through it), a restoration does.
 */
@Readiness
@ApplicationScoped
public class LearnerReadiness implements HealthCheck {

    private final KafkaStreams streams;
    private final StreamsProgress restoration;

    public LearnerReadiness(KafkaStreams streams, StreamsProgress restoration) {
        this.streams = streams;
        this.restoration = restoration;
    }

    @Override
    public HealthCheckResponse call() {
        KafkaStreams.State state = streams.state();
        int restoring = restoration.restoringStores();
        return HealthCheckResponse.named("learner-state")
                .status(restoration.runningOnce() && state.isRunningOrRebalancing() && restoring == 0)
                .withData("streams", state.name())
                .withData("restoring-stores", restoring)
                .withData("records-to-restore", restoration.remainingRecords())
                .build();
    }
}
