package io.vitrine.learner.console;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.avro.Decision;
import io.vitrine.avro.Reward;
import io.vitrine.avro.SlotMode;
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
import java.time.Clock;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** The console's view and the feeds of rewards and decisions behind it. */
@ApplicationScoped
public class ConsoleBeans {

    @Produces
    @Singleton
    RecentRewards recentRewards(LearnerConfig config) {
        return new RecentRewards(config.console().window());
    }

    @Produces
    @Singleton
    RecentDecisions recentDecisions() {
        return new RecentDecisions();
    }

    @Produces
    @Singleton
    ConsoleAudience consoleAudience() {
        return new ConsoleAudience(Clock.systemUTC());
    }

    /**
     * Whether the console's feeds read their topics now: always, or while the console is used or a slot is in
     * apprentice mode (its comparison counts every round).
     */
    @Produces
    @Singleton
    ConsoleFollow consoleFollow(LearnerConfig config, ConsoleAudience audience, SlotControls controls) {
        LearnerConfig.Console console = config.console();
        return () -> console.follow() == LearnerConfig.Console.Follow.ALWAYS
                || audience.usedWithin(console.idleAfter())
                || controls.all().values().stream().anyMatch(c -> c.getMode() == SlotMode.APPRENTICE);
    }

    /** The rewards topic, for the charts, the comparison of apprentice slots and a decision's reward. */
    @Produces
    @Singleton
    @Startup
    TopicFeed<Reward> rewardFeed(LearnerConfig config, WireFormat wire, RecentRewards recent,
                                 RecentDecisions decisions, ConsoleFollow follow,
                                 @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        TopicFeed<Reward> feed = new TopicFeed<>(kafka, Topic.REWARDS.name(config.topics().prefix()),
                wire.<Reward>serde(Reward.class).deserializer(), config.console().history(), follow, reward -> {
                    recent.add(reward);
                    decisions.rewarded(reward);
                }, "console-rewards");
        feed.start();
        return feed;
    }

    /** The decisions topic, for one decision by request id and the would-be choices of apprentice slots. */
    @Produces
    @Singleton
    @Startup
    TopicFeed<Decision> decisionFeed(LearnerConfig config, WireFormat wire, RecentDecisions decisions,
                                     ConsoleFollow follow,
                                     @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        TopicFeed<Decision> feed = new TopicFeed<>(kafka, Topic.DECISIONS.name(config.topics().prefix()),
                wire.<Decision>serde(Decision.class).deserializer(), config.console().history(), follow,
                decisions::decided, "console-decisions");
        feed.start();
        return feed;
    }

    void closeRewardFeed(@Disposes TopicFeed<Reward> feed) throws InterruptedException {
        feed.close();
    }

    void closeDecisionFeed(@Disposes TopicFeed<Decision> feed) throws InterruptedException {
        feed.close();
    }

    @Produces
    @Singleton
    ConsoleView consoleView(MeterRegistry registry, SlotControls controls, RecentRewards recent, KafkaStreams streams,
                            VersionLearners versions, NigPrior prior, RecentDecisions decisions) {
        return new ConsoleView(registry, controls, recent, streams, versions, prior, decisions);
    }
}
