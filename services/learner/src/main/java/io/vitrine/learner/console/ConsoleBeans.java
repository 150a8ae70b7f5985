package io.vitrine.learner.console;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.avro.Reward;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.learner.config.LearnerConfig;
import io.vitrine.learner.versions.VersionLearners;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import io.vitrine.service.control.SlotControls;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** The console's view and the reward feed behind its charts. */
@ApplicationScoped
public class ConsoleBeans {

    @Produces
    @Singleton
    RecentRewards recentRewards(LearnerConfig config) {
        return new RecentRewards(config.console().window());
    }

    @Produces
    @Singleton
    @Startup
    RewardFeed rewardFeed(LearnerConfig config, WireFormat wire, RecentRewards recent,
                          @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        RewardFeed feed = new RewardFeed(kafka, Topic.REWARDS.name(config.topics().prefix()),
                wire.<Reward>serde(Reward.class).deserializer(), config.console().history(), recent::add);
        feed.start();
        return feed;
    }

    void closeRewardFeed(@Disposes RewardFeed feed) throws InterruptedException {
        feed.close();
    }

    @Produces
    @Singleton
    ConsoleView consoleView(MeterRegistry registry, SlotControls controls, RecentRewards recent, KafkaStreams streams,
                            VersionLearners versions, NigPrior prior) {
        return new ConsoleView(registry, controls, recent, streams, versions, prior);
    }
}
