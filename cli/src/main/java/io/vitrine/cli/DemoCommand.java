package io.vitrine.cli;

import io.vitrine.cli.stack.LocalStack;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import io.vitrine.cli.stack.StackSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vitrine demo}: local broker, learner and selector, then the simulator against them. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Starts a local Kafka broker, the learner, the selector and the trainer (each its own process, logs"
                    + " in .vitrine/logs), plays simulated visitors against them and shows Vitrine learning, its"
                    + " encoder retrained, gated and swapped as the rewards come: the"
                    + " click-through rate of its choices against a uniformly random choice and the oracle,"
                    + " slice by slice. Stops everything at the end or on Ctrl-C.",
            "Exit code 0 when the run completed with at most 1%% failed requests."})
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    VitrineCli parent;

    @Mixin
    SimulationOptions simulation;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--kafka-controller-port", defaultValue = "9093",
            description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--selector-port", defaultValue = "8080", description = "Selector HTTP port (default: ${DEFAULT-VALUE}).")
    int selectorPort;

    @Option(names = "--learner-port", defaultValue = "8081", description = "Learner HTTP port (default: ${DEFAULT-VALUE}).")
    int learnerPort;

    @Option(names = "--attribution-window", defaultValue = "2s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "How long after an impression a click counts (default: ${DEFAULT-VALUE}).")
    Duration attributionWindow;

    @Option(names = "--publish-interval", defaultValue = "500ms", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "How often the learner publishes posteriors (default: ${DEFAULT-VALUE}).")
    Duration publishInterval;

    @Option(names = "--retrain", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the trainer: the encoder retrains from the rewards, each version gated and promoted"
                    + " while the run plays (default: on; --no-retrain keeps the built-in encoder throughout).")
    boolean retrain;

    @Option(names = "--retrain-every", defaultValue = "2000", paramLabel = "REWARDS",
            description = "A new encoder version every this many rewards (default: ${DEFAULT-VALUE}).")
    int retrainEvery;

    @Option(names = "--trainer-port", defaultValue = "8082", description = "Trainer HTTP port (default: ${DEFAULT-VALUE}).")
    int trainerPort;

    @Option(names = "--topic-prefix", defaultValue = "vitrine.", description = "Prefix of every topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--start-timeout", defaultValue = "180s", converter = DurationConverter.class,
            paramLabel = "DURATION", description = "How long each process may take to become ready (default: ${DEFAULT-VALUE}).")
    Duration startTimeout;

    @Option(names = "--keep-running", description = "After the run, keep the broker and the services up (the"
            + " console, the selector's and the learner's APIs) until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--home", paramLabel = "DIR",
            description = "Root of the Vitrine source tree (default: found from this jar's location).")
    Path home;

    @Override
    public Integer call() throws Exception {
        var err = parent.err();
        Path root;
        try {
            root = RepoHome.locate(Optional.ofNullable(home));
        } catch (StackException e) {
            err.println("vitrine demo: " + e.getMessage());
            return 1;
        }
        StackSettings settings = new StackSettings(root, root.resolve(".vitrine"), topicPrefix, kafkaPort,
                controllerPort, selectorPort, learnerPort, attributionWindow, publishInterval, Optional.empty(),
                startTimeout);
        if (retrain) {
            settings = settings.withTrainer(new StackSettings.Trainer(trainerPort, retrainEvery));
        }
        err.println("starting Kafka, the learner, the selector" + (retrain ? " and the trainer" : "") + " (logs in "
                + settings.logDir() + ")");
        try (LocalStack stack = LocalStack.start(settings, err)) {
            err.println("console: " + stack.learnerUri().resolve("console/") + " (live while the demo runs"
                    + (keepRunning ? " and after it)" : "; --keep-running keeps it up after)"));
            SimulationRun.Target target = new SimulationRun.Target(stack.selectorUri(),
                    Optional.of(stack.learnerUri()), stack.bootstrapServers(), topicPrefix, attributionWindow,
                    publishInterval, stack.trainerUri());
            int exit = new SimulationRun(parent.out(), err).run("demo", target, simulation, settings.workDir(),
                    Map.of("logs", settings.logDir().toString(), "retrain", retrain));
            if (keepRunning) {
                err.println("still running: console " + stack.learnerUri().resolve("console/") + ", selector "
                        + stack.selectorUri() + ", Kafka " + stack.bootstrapServers() + "; Ctrl-C stops everything");
                // The stack's shutdown hook stops the processes when Ctrl-C ends this wait.
                new CountDownLatch(1).await();
            }
            return exit;
        } catch (StackException e) {
            err.println("vitrine demo: " + e.getMessage());
            return 1;
        }
    }
}
