package io.vitrine.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vitrine simulate}: the simulator against services that are already running. */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Plays simulated visitors against a running selector: asks for decisions over HTTP, writes the"
                    + " impressions and clicks to Kafka as a web front end would, and reports click-through"
                    + " rates against uniform and oracle, latency and throughput.",
            "Exit code 0 when at most 1%% of the requests failed."})
final class SimulateCommand implements Callable<Integer> {

    @ParentCommand
    VitrineCli parent;

    @Mixin
    SimulationOptions simulation;

    @Option(names = "--selector-url", defaultValue = "http://localhost:8080/",
            description = "Selector base URL (default: ${DEFAULT-VALUE}).")
    URI selectorUrl;

    @Option(names = "--learner-url",
            description = "Learner base URL; when given, its posteriors are read at the end.")
    URI learnerUrl;

    @Option(names = "--trainer-url",
            description = "Trainer base URL; when given, the run reports each encoder version trained, its gate"
                    + " verdict and when it took over.")
    URI trainerUrl;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers for impressions and clicks (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "vitrine.", description = "Prefix of every topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--attribution-window", defaultValue = "2s", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "The learner's attribution window; clicks are kept well inside it (default: ${DEFAULT-VALUE}).")
    Duration attributionWindow;

    @Option(names = "--publish-interval", defaultValue = "500ms", converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "The learner's publish interval, to know how long to wait before reading posteriors"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration publishInterval;

    @Override
    public Integer call() throws Exception {
        SimulationRun.Target target = new SimulationRun.Target(withSlash(selectorUrl),
                Optional.ofNullable(learnerUrl).map(SimulateCommand::withSlash), bootstrapServers, topicPrefix,
                attributionWindow, publishInterval, Optional.ofNullable(trainerUrl).map(SimulateCommand::withSlash));
        return new SimulationRun(parent.out(), parent.err()).run("simulate", target, simulation, Path.of(".vitrine"),
                Map.of());
    }

    /** Relative paths resolve under a base URL only when it ends with a slash. */
    private static URI withSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? uri : URI.create(text + "/");
    }
}
