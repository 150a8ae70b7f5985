package io.vitrine.e2e.soak;

import io.vitrine.cli.DurationConverter;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.kafka.LocalKafka;
import io.vitrine.kafka.LocalKafkaConfig;
import io.vitrine.schemas.Topic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak from the command line. It lives beside the end-to-end harness it drives (the packaged services as
 * processes), which depends on the command-line module; {@code ./vitrine} cannot call it without inverting that.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Steady traffic against the packaged learner, two selectors and the trainer on a local broker,"
                + " while one instance at a time is killed with SIGKILL and started again; then checks that every"
                + " decision answered 200 is logged, every impression gave exactly one reward, the posteriors equal"
                + " the batch fit of the rewards, and nothing became a dead letter. Writes a plot of throughput and"
                + " latency with the kills marked. Exits 1 if a check fails.",
                "With --broker-loss the broker is a process of its own (or a cluster of three), taken away under the"
                + " traffic and brought back; the checks then also require every answer to be 200, or 503 with a"
                + " problem within the selectors' log timeout + 1 s, and the services to recover by themselves.",
                "Package the services first: ./mvnw -B -ntp -DskipTests install"})
public final class SoakCommand implements Callable<Integer> {

    @Option(names = "--events", defaultValue = "100000", description = "events to write at least: decisions answered"
            + " over HTTP, impressions and clicks (default: ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--kills", defaultValue = "20", description = "SIGKILLs to deal at least (default: ${DEFAULT-VALUE})")
    int kills;

    @Option(names = "--rate", defaultValue = "50", description = "decision requests per second; each answered one"
            + " brings some 2.4 events (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--slots", defaultValue = "4", description = "slots, one posterior each (default: ${DEFAULT-VALUE})")
    int slots;

    @Option(names = "--window", defaultValue = "3s", converter = DurationConverter.class,
            description = "the learner's attribution window (default: ${DEFAULT-VALUE})")
    Duration window;

    @Option(names = "--seed", defaultValue = "17", description = "seed of the traffic and the kills (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--broker-loss", paramLabel = "single|cluster", description = "single: the broker as its own"
            + " process, stopped with SIGTERM and later with SIGKILL, each time started again after --broker-down;"
            + " cluster: three brokers (replication 3, min.insync.replicas 2), one killed with SIGKILL and started"
            + " again after --broker-down. Combine with --kills 0 for broker loss alone.")
    String brokerLoss;

    @Option(names = "--broker-down", defaultValue = "10s", converter = DurationConverter.class,
            description = "how long a lost broker stays away (default: ${DEFAULT-VALUE})")
    Duration brokerDown;

    @Option(names = "--base-port", description = "the broker on this port and the next, the four services on the four"
            + " after (with --broker-loss: each broker's client and controller ports first, then the four services); free"
            + " ports by default")
    Integer basePort;

    @Option(names = "--out", description = "state, logs, summary and plot (default: e2e/target/soak)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Path directory = out != null ? out : RepoHome.locate(Optional.empty()).resolve("e2e/target/soak");
        Files.createDirectories(directory);
        Optional<SoakSettings.BrokerLoss> loss;
        if (brokerLoss == null) {
            loss = Optional.empty();
        } else if (brokerLoss.equals("single") || brokerLoss.equals("cluster")) {
            loss = Optional.of(new SoakSettings.BrokerLoss(brokerLoss.equals("single") ? 1 : 3, brokerDown));
        } else {
            System.err.println("soak: --broker-loss is single or cluster, not '" + brokerLoss + "'");
            return 2;
        }
        SoakSettings settings = new SoakSettings(events, kills, rate, slots, window, seed, directory, loss);
        if (loss.isPresent()) {
            // The brokers are processes of the soak's own, their logs beside the services'.
            AtomicInteger free = new AtomicInteger(basePort == null ? 0 : basePort);
            IntSupplier ports = basePort == null ? io.vitrine.cli.stack.Ports::anyFree : free::getAndIncrement;
            return new Soak(settings, null, ports, System.out).run().holds() ? 0 : 1;
        }
        // The broker runs in this JVM and logs through slf4j-simple: to a file, so that the progress stays readable.
        System.setProperty("org.slf4j.simpleLogger.logFile", directory.resolve("broker.log").toString());
        Path data = Files.createTempDirectory("vitrine-soak-kafka-");
        LocalKafkaConfig broker = basePort == null ? LocalKafkaConfig.forTests(data)
                : new LocalKafkaConfig(data, basePort, basePort + 1, Topic.DEFAULT_PREFIX, false);
        AtomicInteger next = new AtomicInteger(basePort == null ? 0 : basePort + 2);
        IntSupplier ports = basePort == null ? io.vitrine.cli.stack.Ports::anyFree : next::getAndIncrement;
        try (LocalKafka kafka = LocalKafka.start(broker)) {
            System.out.printf("soak: broker on %s%n", kafka.bootstrapServers());
            return new Soak(settings, kafka.bootstrapServers(), ports, System.out).run().holds() ? 0 : 1;
        } finally {
            deleteRecursively(data);
        }
    }

    private static void deleteRecursively(Path directory) throws java.io.IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SoakCommand()).execute(args));
    }
}
