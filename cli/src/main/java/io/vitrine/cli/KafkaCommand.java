package io.vitrine.cli;

import io.vitrine.kafka.LocalKafkaMain;
import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code vitrine kafka}: the local broker alone, in the foreground. */
@Command(name = "kafka", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Runs a single-node Kafka broker (KRaft) with Vitrine's topics in the foreground until Ctrl-C.",
            "Prints 'vitrine-kafka ready bootstrap=localhost:<port>' once clients can connect."})
final class KafkaCommand implements Callable<Integer> {

    @ParentCommand
    VitrineCli parent;

    @Option(names = "--port", defaultValue = "9092", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "9093",
            description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Broker storage, kept across restarts (default: .vitrine/kafka under the source tree).")
    Path dataDir;

    @Option(names = "--topic-prefix", defaultValue = "vitrine.", description = "Prefix of every topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--fresh", description = "Delete the data directory first.")
    boolean fresh;

    @Option(names = "--verbose", description = "Log the broker at INFO level instead of WARN.")
    boolean verbose;

    @Override
    public Integer call() {
        try {
            Ports.requireFree(port, "kafka", "--port");
            Ports.requireFree(controllerPort, "kafka controller", "--controller-port");
        } catch (StackException e) {
            parent.err().println("vitrine kafka: " + e.getMessage());
            return 1;
        }
        Path data = dataDir != null ? dataDir : defaultDataDir();
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port),
                "--controller-port", Integer.toString(controllerPort),
                "--data-dir", data.toString(), "--topic-prefix", topicPrefix));
        if (fresh) {
            args.add("--fresh");
        }
        if (verbose) {
            args.add("--verbose");
        }
        // Returns once the broker stopped (Ctrl-C); exits the JVM itself when the broker cannot start.
        LocalKafkaMain.main(args.toArray(new String[0]));
        return 0;
    }

    private static Path defaultDataDir() {
        try {
            return RepoHome.locate(Optional.empty()).resolve(".vitrine/kafka");
        } catch (StackException e) {
            return Path.of(".vitrine/kafka");
        }
    }
}
