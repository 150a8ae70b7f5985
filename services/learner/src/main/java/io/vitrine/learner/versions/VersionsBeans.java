package io.vitrine.learner.versions;

import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.learner.control.LearningControl;
import io.vitrine.learner.streams.LearnerMetrics;
import io.vitrine.learner.streams.LearnerTopology;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.service.encoders.ServingFollower;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Learns the encoder versions of the catalog worth keeping ({@link KeptVersions}), each in its own Streams application,
 * following the serving record to retire the others.
 */
@ApplicationScoped
public class VersionsBeans {

    @Produces
    @Singleton
    ServingFollower servingFollower(LearnerConfig config, WireFormat wire,
                                    @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return ServingFollower.of(kafka, config.topics().prefix(), wire);
    }

    void closeServingFollower(@Disposes ServingFollower follower) throws InterruptedException {
        follower.close();
    }

    @Produces
    @Singleton
    @Startup
    VersionLearners versionLearners(LearnerConfig config, StreamsConfig streamsConfig, LearnerTopology.Settings settings,
                                    WireFormat wire, LearnerMetrics metrics, EncoderCatalog catalog,
                                    ServingFollower serving, LearningControl control) {
        VersionLearners learners = new VersionLearners(streamsConfig.originals(), settings, wire, metrics,
                Topic.REWARDS.name(config.topics().prefix()), config.learner().versions().rollbackDepth(),
                control.gate());
        catalog.onNewVersion(learners::offer);
        serving.onChange(learners::servingChanged);
        catalog.start();
        serving.start();
        return learners;
    }

    void closeVersionLearners(@Disposes VersionLearners learners) {
        learners.close();
    }
}
