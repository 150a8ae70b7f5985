package io.vitrine.e2e;

import io.vitrine.cli.stack.ManagedProcess;
import io.vitrine.cli.stack.StackException;
import io.vitrine.kafka.ClusterMembership;
import io.vitrine.kafka.LocalKafkaMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;

/**
 * The local broker, or a local cluster of several, each node its own process of the packaged {@code kafka-local}
 * ({@link LocalKafkaMain}), so that a test can really stop it (SIGTERM) or kill it (SIGKILL) and start it again on
 * the same ports and data directory. Node {@code i}'s output goes to {@code <workDir>/logs/kafka-<i>-<n>.log}, one file
 * per incarnation.
 */
public final class LocalBrokers implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final Path jar;
    private final Path workDir;
    private final List<Node> nodes;

    private record Node(int id, int port, int controllerPort, Path dataDir, List<String> clusterArguments) {
    }

    private final ManagedProcess[] processes;
    private final int[] incarnations;

    private LocalBrokers(Path jar, Path workDir, List<Node> nodes) {
        this.jar = jar;
        this.workDir = workDir;
        this.nodes = List.copyOf(nodes);
        this.processes = new ManagedProcess[nodes.size()];
        this.incarnations = new int[nodes.size()];
    }

    /**
     * {@code count} nodes (1: a single broker; more: a cluster with a static controller quorum, replication
     * min(3, count) and {@code min.insync.replicas} a majority of it), on ports from {@code ports}, data under
     * {@code workDir}. Nothing runs until {@link #startAll}.
     *
     * @param home root of the source tree, which holds the packaged {@code kafka-local}
     */
    public static LocalBrokers of(int count, Path home, Path workDir, IntSupplier ports) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("at least one broker, not " + count);
        }
        Path jar = packagedJar(home.resolve("kafka-local/target"));
        int[] clientPorts = new int[count];
        SortedMap<Integer, Integer> controllers = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            clientPorts[i] = ports.getAsInt();
            controllers.put(i + 1, ports.getAsInt());
        }
        String clusterId = Uuid.randomUuid().toString();
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<String> cluster = count == 1 ? List.of() : List.of("--controller-quorum",
                    ClusterMembership.quorum(controllers), "--node-id", String.valueOf(i + 1), "--cluster-id", clusterId);
            nodes.add(new Node(i + 1, clientPorts[i], controllers.get(i + 1), workDir.resolve("kafka-" + (i + 1)),
                    cluster));
        }
        return new LocalBrokers(jar, workDir, nodes);
    }

    private static Path packagedJar(Path target) throws IOException {
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                List<Path> jars = files.filter(p -> p.getFileName().toString().matches("vitrine-kafka-local-.*\\.jar")
                        && !p.getFileName().toString().matches(".*-(sources|tests|javadoc)\\.jar")).toList();
                if (jars.size() == 1 && Files.isDirectory(target.resolve("lib"))) {
                    return jars.get(0);
                }
            }
        }
        throw new IOException("the packaged broker is missing in " + target
                + ": package it first (./mvnw -B -ntp -DskipTests install)");
    }

    /** Launches every node at once (the quorum needs a majority to start) and waits until each is ready. */
    public void startAll() throws StackException, InterruptedException {
        for (int i = 0; i < nodes.size(); i++) {
            launch(i);
        }
        for (int i = 0; i < nodes.size(); i++) {
            awaitReady(i);
        }
    }

    /** Starts node {@code index} (0-based) again on its ports and data, and waits until it is ready. */
    public void start(int index) throws StackException, InterruptedException {
        launch(index);
        awaitReady(index);
    }

    /** SIGTERM: a controlled shutdown (leadership handed over, logs flushed); waits until the process is gone. */
    public void stop(int index) {
        processes[index].stop(STOP_GRACE);
    }

    /** SIGKILL: no controlled shutdown, no flush; waits until the process is gone. */
    public void kill(int index) throws InterruptedException {
        processes[index].kill();
    }

    public boolean alive(int index) {
        return processes[index] != null && processes[index].isAlive();
    }

    public int size() {
        return nodes.size();
    }

    /** Replicas of every topic: 1 on a single broker, min(3, nodes) in a cluster. */
    public short replicationFactor() {
        return (short) Math.min(3, nodes.size());
    }

    /** Every node's client address, e.g. {@code localhost:21000,localhost:21002}. */
    public String bootstrapServers() {
        return nodes.stream().map(node -> "localhost:" + node.port()).collect(Collectors.joining(","));
    }

    /** The output of node {@code index}'s current incarnation. */
    public Path log(int index) {
        return processes[index].log();
    }

    private void launch(int index) throws StackException {
        Node node = nodes.get(index);
        incarnations[index]++;
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m"));
        command.addAll(ServiceProcess.jvmOptions());
        command.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(node.port()),
                "--controller-port", String.valueOf(node.controllerPort()), "--data-dir", node.dataDir().toString(),
                "--topic-prefix", "local-brokers."));
        command.addAll(node.clusterArguments());
        processes[index] = ManagedProcess.start("kafka-" + node.id(), command, workDir,
                workDir.resolve("logs").resolve("kafka-" + node.id() + "-" + incarnations[index] + ".log"));
    }

    private void awaitReady(int index) throws StackException, InterruptedException {
        processes[index].awaitLine(LocalKafkaMain.READY_PREFIX, START_TIMEOUT);
    }

    /**
     * Kills every node: the data is thrown away, and a node of a cluster stopped in order after a majority of its
     * quorum is gone would wait for the quorum until its grace ran out.
     */
    @Override
    public void close() throws InterruptedException {
        for (ManagedProcess process : processes) {
            if (process != null && process.isAlive()) {
                process.kill();
            }
        }
    }
}
