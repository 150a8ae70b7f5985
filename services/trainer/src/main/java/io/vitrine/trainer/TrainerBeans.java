package io.vitrine.trainer;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import io.vitrine.avro.EncoderServing;
import io.vitrine.avro.EncoderVersion;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.service.encoders.EncoderCatalog;
import io.vitrine.service.encoders.RebuildProgress;
import io.vitrine.service.encoders.ServingFollower;
import java.util.HashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
        return new EncoderPublisher(kafka, config.trainer().transactionalId() + "-encoders",
                Topic.ENCODERS.name(config.topics().prefix()),
                wire.<EncoderVersion>serde(EncoderVersion.class).serializer());
    }

    void closePublisher(@Disposes EncoderPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    BuiltInEncoder builtInEncoder(TrainerConfig config) {
        return BuiltInEncoder.of(config.encoder());
    }

    @Produces
    @Singleton
    EncoderCatalog catalog(TrainerConfig config, WireFormat wire,
                           @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        EncoderCatalog catalog = EncoderCatalog.of(kafka, config.topics().prefix(), wire);
        catalog.start();
        return catalog;
    }

    void closeCatalog(@Disposes EncoderCatalog catalog) throws InterruptedException {
        catalog.close();
    }

    @Produces
    @Singleton
    ServingFollower servingFollower(TrainerConfig config, WireFormat wire,
                                    @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return ServingFollower.of(kafka, config.topics().prefix(), wire);
    }

    void closeServingFollower(@Disposes ServingFollower follower) throws InterruptedException {
        follower.close();
    }

    @Produces
    @Singleton
    Admin admin(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        Map<String, Object> config = new HashMap<>();
        AdminClientConfig.configNames().stream().filter(kafka::containsKey).forEach(k -> config.put(k, kafka.get(k)));
        return Admin.create(config);
    }

    void closeAdmin(@Disposes Admin admin) {
        admin.close();
    }

    @Produces
    @Singleton
    @Startup
    ServingController servingController(TrainerConfig config, WireFormat wire, ServingFollower follower,
                                        EncoderCatalog catalog, Admin admin, BuiltInEncoder builtIn,
                                        MeterRegistry registry,
                                        @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        String prefix = config.topics().prefix();
        ServingController controller = new ServingController(follower, catalog,
                new RebuildProgress(admin, Topic.REWARDS.name(prefix)), config.trainer().learnerApplicationId(),
                builtIn, config.trainer().gate().enabled(), kafka, config.trainer().transactionalId() + "-serving",
                Topic.ENCODER_SERVING.name(prefix),
                wire.<EncoderServing>serde(EncoderServing.class).serializer(), Clock.systemUTC(), registry);
        follower.start();
        controller.start(config.trainer().gate().checkEvery());
        return controller;
    }

    void closeServingController(@Disposes ServingController controller) {
        controller.close();
    }

    @Produces
    @Singleton
    @Startup
    Trainer trainer(TrainerConfig config, RewardBuffer buffer, EncoderPublisher publisher, ServingFollower follower,
                    EncoderCatalog catalog, BuiltInEncoder builtIn, ServingController controller,
                    MeterRegistry registry) {
        TrainerConfig.Prior prior = config.prior();
        Trainer trainer = new Trainer(config.trainer(), buffer, publisher,
                new Gate(config.trainer().gate(), new NigPrior(prior.lambda(), prior.a0(), prior.b0())), follower,
                catalog, builtIn, controller::candidateRebuilding, Clock.systemUTC(), registry);
        trainer.start();
        return trainer;
    }

    void closeTrainer(@Disposes Trainer trainer) {
        trainer.close();
    }
}
