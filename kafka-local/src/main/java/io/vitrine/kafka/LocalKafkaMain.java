package io.vitrine.kafka;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a {@link LocalKafka} broker as its own process for local runs:
 * {@code java -jar kafka-local/target/vitrine-kafka-local-<version>.jar}.
 *
 * <p>When the broker is ready and the topics exist, it prints exactly one line on standard output,
 * {@code vitrine-kafka ready bootstrap=localhost:9092}, which scripts and tests wait for; logs go to
 * standard error. SIGTERM or Ctrl-C stops the broker in order. A failure to start (a port in use,
 * say) ends the process with a non-zero exit code and a one-line message.
 */
@Command(name = "vitrine-kafka", sortOptions = false,
        description = "A single-node Kafka broker (KRaft) with Vitrine's topics, for local runs; or one node of a"
                + " local cluster (--controller-quorum).")
public final class LocalKafkaMain implements Callable<Integer> {

    /** The prefix of the line printed when the broker is ready. */
    public static final String READY_PREFIX = "vitrine-kafka ready bootstrap=";

    @Option(names = "--port", defaultValue = "9092", description = "Client port on localhost (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "9093",
            description = "KRaft controller port on localhost (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--data-dir", defaultValue = ".vitrine/kafka",
            description = "Broker storage, kept across restarts (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--topic-prefix", defaultValue = io.vitrine.schemas.Topic.DEFAULT_PREFIX,
            description = "Prefix of every topic name (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--controller-quorum", paramLabel = "ID@PORT,...",
            description = "Run as one node of a cluster with this static controller quorum (every node's id and"
                    + " controller port, e.g. 1@21001,2@21003,3@21005): topics get one replica per node, at most 3,"
                    + " and min.insync.replicas a majority. Needs --node-id and --cluster-id.")
    String controllerQuorum;

    @Option(names = "--node-id", description = "This node's id in --controller-quorum.")
    Integer nodeId;

    @Option(names = "--cluster-id", description = "The id every node of the cluster is formatted with (a base64 UUID).")
    String clusterId;

    @Option(names = "--fresh", description = "Delete the data directory first: start with no topics or records.")
    boolean fresh;

    @Option(names = "--verbose", description = "Log the broker at INFO level instead of WARN.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private LocalKafkaMain() {
    }

    public static void main(String[] args) {
        int exitCode = new CommandLine(new LocalKafkaMain()).execute(args);
        // On success call() returns only during JVM shutdown, where System.exit would block.
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    @Override
    public Integer call() {
        configureLogging();
        LocalKafka kafka;
        try {
            LocalKafkaConfig config = new LocalKafkaConfig(dataDir, port, controllerPort, topicPrefix, true);
            if (controllerQuorum != null || nodeId != null || clusterId != null) {
                if (controllerQuorum == null || nodeId == null || clusterId == null) {
                    throw new IllegalArgumentException("a node of a cluster needs --controller-quorum, --node-id and"
                            + " --cluster-id together");
                }
                config = config.inCluster(new ClusterMembership(nodeId, clusterId,
                        ClusterMembership.parseQuorum(controllerQuorum)));
            }
            if (fresh) {
                Directories.deleteRecursively(dataDir);
            }
            kafka = LocalKafka.start(config);
        } catch (RuntimeException e) {
            System.err.println("vitrine-kafka: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                kafka.close();
            } finally {
                stopped.countDown();
            }
        }, "vitrine-kafka-shutdown"));
        System.out.println(READY_PREFIX + kafka.bootstrapServers());
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Must run before the first logger is created: slf4j-simple reads these properties once. */
    private void configureLogging() {
        String level = verbose ? "info" : "warn";
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        // Broker log lines go to standard error; standard output carries only the ready line.
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }
}
