package io.vitrine.cli.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link LocalStack} starts and where.
 *
 * @param home                 root of the source tree (holds the packaged services)
 * @param workDir              where state directories and logs go (normally {@code <home>/.vitrine})
 * @param topicPrefix          prefix of every topic
 * @param kafkaPort            broker port
 * @param controllerPort       KRaft controller port
 * @param selectorPort         selector HTTP port
 * @param learnerPort          learner HTTP port
 * @param attributionWindow    how long after an impression a click still counts
 * @param publishInterval      how often the learner publishes posteriors
 * @param externalBootstrap    a broker to use instead of starting one
 * @param startTimeout         how long each process may take to become ready
 * @param trainer              the trainer to run beside them, if any (the encoder then retrains from the rewards)
 */
public record StackSettings(Path home, Path workDir, String topicPrefix, int kafkaPort, int controllerPort,
                            int selectorPort, int learnerPort, Duration attributionWindow, Duration publishInterval,
                            Optional<String> externalBootstrap, Duration startTimeout, Optional<Trainer> trainer) {

    /**
     * The trainer's settings.
     *
     * @param port         its HTTP port
     * @param everyRewards a new encoder version every this many rewards
     */
    public record Trainer(int port, int everyRewards) {
    }

    /** Without a trainer: the built-in encoder serves throughout. */
    public StackSettings(Path home, Path workDir, String topicPrefix, int kafkaPort, int controllerPort,
                         int selectorPort, int learnerPort, Duration attributionWindow, Duration publishInterval,
                         Optional<String> externalBootstrap, Duration startTimeout) {
        this(home, workDir, topicPrefix, kafkaPort, controllerPort, selectorPort, learnerPort, attributionWindow,
                publishInterval, externalBootstrap, startTimeout, Optional.empty());
    }

    public StackSettings withTrainer(Trainer trainer) {
        return new StackSettings(home, workDir, topicPrefix, kafkaPort, controllerPort, selectorPort, learnerPort,
                attributionWindow, publishInterval, externalBootstrap, startTimeout, Optional.of(trainer));
    }

    /** The defaults of {@code vitrine demo}. */
    public static StackSettings defaults(Path home) {
        return new StackSettings(home, home.resolve(".vitrine"), "vitrine.", 9092, 9093, 8080, 8081,
                Duration.ofSeconds(2), Duration.ofMillis(500), Optional.empty(), Duration.ofSeconds(180));
    }

    public Path selectorJar() {
        return home.resolve("services/selector/target/quarkus-app/quarkus-run.jar");
    }

    public Path learnerJar() {
        return home.resolve("services/learner/target/quarkus-app/quarkus-run.jar");
    }

    public Path trainerJar() {
        return home.resolve("services/trainer/target/quarkus-app/quarkus-run.jar");
    }

    public Path logDir() {
        return workDir.resolve("logs");
    }

    public Path stateDir(String name) {
        return workDir.resolve("state").resolve(name);
    }
}
