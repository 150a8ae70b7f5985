package io.vitrine.kafka;

import io.vitrine.schemas.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one node), running inside
 * the current JVM. Tests use it through {@link SharedLocalKafka}; {@link LocalKafkaMain} runs the
 * same code as its own process for local runs.
 *
 * <p>Internal topics have replication factor 1, so transactions and exactly-once processing work
 * on the single node.
 */
public final class LocalKafka implements AutoCloseable {

    static final String HOST = "localhost";
    /** Bound on start-up, from formatting to the last topic created. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
    private static final String META_PROPERTIES = "meta.properties";

    private final LocalKafkaConfig config;
    private final KafkaRaftServer server;
    private final Duration startupTime;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalKafka(LocalKafkaConfig config, KafkaRaftServer server, Duration startupTime) {
        this.config = config;
        this.server = server;
        this.startupTime = startupTime;
    }

    /**
     * Formats the data directory unless it already holds a broker's data, starts the broker, waits
     * until a client sees it ready and, if the configuration asks for it, creates every topic of
     * {@link Topic}.
     *
     * @throws LocalKafkaException if a port is taken, formatting fails or the broker is not ready
     *                             within {@link #START_TIMEOUT}
     */
    public static LocalKafka start(LocalKafkaConfig config) {
        long started = System.nanoTime();
        long deadline = started + START_TIMEOUT.toNanos();
        checkPortFree(config.port(), "port");
        checkPortFree(config.controllerPort(), "controller port");

        Properties props = brokerProperties(config);
        Path logDir = logDir(config);
        if (!Files.exists(logDir.resolve(META_PROPERTIES))) {
            format(config, props);
        }

        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            stopQuietly(server);
            throw new LocalKafkaException("Kafka broker on " + config.bootstrapServers()
                    + " failed to start: " + e.getMessage(), e);
        }
        try (Admin admin = Admin.create(adminProperties(config))) {
            awaitReady(admin, config, deadline);
            if (config.createTopics()) {
                Topics.createAll(admin, config.topicPrefix(), (short) 1);
            }
        } catch (RuntimeException e) {
            stopQuietly(server);
            throw e;
        }
        Duration startupTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("Kafka broker ready on {} in {} ms (data in {})",
                config.bootstrapServers(), startupTime.toMillis(), config.dataDir());
        return new LocalKafka(config, server, startupTime);
    }

    /** The address clients connect to, e.g. {@code localhost:9092}. */
    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    public LocalKafkaConfig config() {
        return config;
    }

    /** How long {@link #start} took, from the first check to the last topic created. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Stops the broker in order (controlled shutdown, then the controller). Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            long started = System.nanoTime();
            server.shutdown();
            server.awaitShutdown();
            LOG.info("Kafka broker on {} stopped in {} ms", config.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    private static Properties brokerProperties(LocalKafkaConfig config) {
        String controller = HOST + ":" + config.controllerPort();
        Properties props = new Properties();
        props.setProperty("process.roles", "broker,controller");
        props.setProperty("node.id", "1");
        props.setProperty("listeners", "PLAINTEXT://" + config.bootstrapServers() + ",CONTROLLER://" + controller);
        props.setProperty("advertised.listeners", "PLAINTEXT://" + config.bootstrapServers());
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("controller.quorum.bootstrap.servers", controller);
        props.setProperty("log.dirs", logDir(config).toAbsolutePath().toString());
        // One node: every internal topic with replication factor 1, or transactions cannot work.
        props.setProperty("offsets.topic.replication.factor", "1");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions than the defaults (50) start faster.
        props.setProperty("offsets.topic.num.partitions", "4");
        props.setProperty("transaction.state.log.num.partitions", "4");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        // Topics come from the registry only; a typo in a topic name must fail, not create a topic.
        props.setProperty("auto.create.topics.enable", "false");
        // The log cleaner allocates this buffer up front (128 MiB by default); the compacted
        // topics of a local broker are small, and tests share the heap with the broker.
        props.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(16L * 1024 * 1024));
        return props;
    }

    private static Properties adminProperties(LocalKafkaConfig config) {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        props.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "vitrine-kafka-local");
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return props;
    }

    private static Path logDir(LocalKafkaConfig config) {
        return config.dataDir().resolve("logs");
    }

    /** Formats storage for a new single-node cluster, as {@code kafka-storage.sh format --standalone}. */
    private static void format(LocalKafkaConfig config, Properties props) {
        try {
            Files.createDirectories(config.dataDir());
            Path propertiesFile = config.dataDir().resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                props.store(out, "Vitrine local Kafka broker (written at format time, for reference)");
            }
            String clusterId = Uuid.randomUuid().toString();
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exitCode;
            try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exitCode = StorageTool.execute(new String[] {
                        "format", "--standalone", "-t", clusterId, "-c", propertiesFile.toString()}, printStream);
            }
            if (exitCode != 0) {
                throw new LocalKafkaException("Formatting " + logDir(config) + " failed (exit code " + exitCode
                        + "): " + output.toString(StandardCharsets.UTF_8).trim());
            }
            LOG.debug("Formatted {}: {}", logDir(config), output.toString(StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new LocalKafkaException("Cannot write the broker configuration in " + config.dataDir(), e);
        } catch (LocalKafkaException e) {
            throw e;
        } catch (RuntimeException e) {
            // StorageTool reports bad input as exceptions (TerseFailure) as well as exit codes.
            throw new LocalKafkaException("Formatting " + logDir(config) + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits until the broker answers a client and reports itself as a cluster member. */
    private static void awaitReady(Admin admin, LocalKafkaConfig config, long deadline) {
        Exception last = null;
        while (System.nanoTime() < deadline) {
            long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                if (!admin.describeCluster().nodes().get(Math.min(remainingMs, 10_000), TimeUnit.MILLISECONDS)
                        .isEmpty()) {
                    return;
                }
            } catch (ExecutionException e) {
                last = e;
            } catch (TimeoutException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalKafkaException("Interrupted while waiting for the Kafka broker", e);
            }
            sleep(100);
        }
        throw new LocalKafkaException("Kafka broker on " + config.bootstrapServers() + " not ready within "
                + START_TIMEOUT.toSeconds() + " s" + (last == null ? "" : ": " + last), last);
    }

    /** Fails early with a readable message instead of a half-started broker. */
    private static void checkPortFree(int port, String name) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new LocalKafkaException("Kafka cannot start: " + name + " " + port + " on " + HOST
                    + " is already in use (" + e.getMessage() + ")", e);
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Error while stopping a broker that failed to start", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalKafkaException("Interrupted while waiting for the Kafka broker", e);
        }
    }
}
