package io.vitrine.learner.versions;

import io.quarkus.runtime.Startup;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.learner.streams.LearnerMetrics;
import io.vitrine.learner.streams.LearnerTopology;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.encoders.EncoderCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.StreamsConfig;

/** Starts learning every encoder version of the catalog, each in its own Streams application. */
@ApplicationScoped
public class VersionsBeans {

    @Produces
    @Singleton
    @Startup
    VersionLearners versionLearners(LearnerConfig config, StreamsConfig streamsConfig, LearnerTopology.Settings settings,
                                    WireFormat wire, LearnerMetrics metrics, EncoderCatalog catalog) {
        VersionLearners learners = new VersionLearners(streamsConfig.originals(), settings, wire, metrics,
                Topic.REWARDS.name(config.topics().prefix()));
        catalog.onNewVersion(learners::start);
        catalog.start();
        return learners;
    }

    void closeVersionLearners(@Disposes VersionLearners learners) {
        learners.close();
    }
}
