package io.vitrine.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.avro.Reward;
import io.vitrine.schemas.Topic;
import io.vitrine.schemas.WireFormat;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;

/** Builds the trainer's parts from configuration; plain classes, wired here once. */
@ApplicationScoped
public class TrainerBeans {

    @Produces
    @Singleton
    WireFormat wireFormat(TrainerConfig config) {
        return WireFormat.of(config.schemaRegistry().url(), config.schemaRegistry().properties());
    }

    @Produces
    @Singleton
    RewardBuffer buffer(TrainerConfig config) {
        return new RewardBuffer(config.trainer().capacity());
    }

    @Produces
    @Singleton
    @Startup
    RewardFollower follower(TrainerConfig config, WireFormat wire, RewardBuffer buffer,
                            @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        RewardFollower follower = new RewardFollower(kafka, Topic.REWARDS.name(config.topics().prefix()),
                wire.<Reward>serde(Reward.class).deserializer(), buffer);
        follower.start();
        return follower;
    }

    void closeFollower(@Disposes RewardFollower follower) throws InterruptedException {
        follower.close();
    }

    @Produces
    @Singleton
    EncoderPublisher publisher(TrainerConfig config, WireFormat wire,
                               @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return new EncoderPublisher(kafka, Topic.ENCODERS.name(config.topics().prefix()),
                wire.<EncoderVersion>serde(EncoderVersion.class).serializer());
    }

    void closePublisher(@Disposes EncoderPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    @Startup
    Trainer trainer(TrainerConfig config, RewardBuffer buffer, EncoderPublisher publisher, MeterRegistry registry) {
        Trainer trainer = new Trainer(config.trainer(), buffer, publisher, Clock.systemUTC(), registry);
        trainer.start();
        return trainer;
    }

    void closeTrainer(@Disposes Trainer trainer) {
        trainer.close();
    }
}
