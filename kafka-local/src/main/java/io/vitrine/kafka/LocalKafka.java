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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one node), running inside
 * the current JVM. Tests use it through {@link SharedLocalKafka}; {@link LocalKafkaMain} runs the
 * same code as its own process for local runs.
 *
 * <p>Internal topics have replication factor 1, so transactions and exactly-once processing work
 * on the single node. As one node of a {@link ClusterMembership cluster} (each node its own process, with a static
 * controller quorum) every topic has one replica per node, up to three, and {@code min.insync.replicas} is a majority
 * of them. With {@link BrokerSecurity} clients connect over SASL_SSL as SCRAM users, each
 * allowed only what its ACLs say ({@link #addScramUser}, {@link #addAcls}).
 */
public final class LocalKafka implements AutoCloseable {

    static final String HOST = "localhost";
    /** Bound on start-up, from formatting to the last topic created. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Bound on creating a user or ACLs until the broker applies them. */
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    /** The least iteration count Kafka accepts for SCRAM-SHA-512. */
    private static final int SCRAM_ITERATIONS = 4096;

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
        if (config.security().isPresent()) {
            checkPortFree(config.security().get().internalPort(), "internal port");
        }

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
                Topics.createAll(admin, config.topicPrefix(), config.replicationFactor());
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

    /**
     * Creates (or changes the password of) the SCRAM-SHA-512 user {@code user} through the Admin API, and returns once
     * the broker accepts its login.
     *
     * @throws LocalKafkaException if the broker has no {@link BrokerSecurity}, or refuses the user or the login
     */
    public void addScramUser(String user, String password) {
        BrokerSecurity security = requireSecurity("SCRAM users");
        try (Admin admin = Admin.create(adminProperties(config))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                            new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password)))
                    .all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new LocalKafkaException("Cannot create the SCRAM user " + user + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalKafkaException("Interrupted while creating the SCRAM user " + user, e);
        }
        // The controller accepted the credential; the broker learns of it from the metadata log a moment later.
        Map<String, Object> login = new HashMap<>(security.clientSettings(user, password));
        login.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        login.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        login.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        awaitAdmin("the login of " + user, login, admin -> admin.describeCluster().clusterId().get());
    }

    /**
     * Adds {@code acls} through the Admin API and returns once the broker's authorizer holds every one of them.
     *
     * @throws LocalKafkaException if the broker has no {@link BrokerSecurity} or refuses a binding
     */
    public void addAcls(Collection<AclBinding> acls) {
        requireSecurity("ACLs");
        try (Admin admin = Admin.create(adminProperties(config))) {
            admin.createAcls(acls).all().get(ADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new LocalKafkaException("Cannot create ACLs " + acls + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalKafkaException("Interrupted while creating ACLs", e);
        }
        awaitAdmin("ACLs " + acls, adminSettings(), admin -> {
            Collection<AclBinding> present = admin.describeAcls(AclBindingFilter.ANY).values().get();
            if (!present.containsAll(acls)) {
                throw new IllegalStateException("not yet in the authorizer");
            }
            return present;
        });
    }

    /** Deletes the ACLs that match {@code filter} and returns once the broker's authorizer holds none of them. */
    public void removeAcls(AclBindingFilter filter) {
        requireSecurity("ACLs");
        awaitAdmin("removal of ACLs " + filter, adminSettings(), admin -> {
            admin.deleteAcls(List.of(filter)).all().get();
            if (!admin.describeAcls(filter).values().get().isEmpty()) {
                throw new IllegalStateException("still in the authorizer");
            }
            return null;
        });
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
        props.setProperty("node.id", String.valueOf(config.cluster().map(ClusterMembership::nodeId).orElse(1)));
        props.setProperty("controller.listener.names", "CONTROLLER");
        if (config.security().isPresent()) {
            securedListeners(props, config.security().get(), config.bootstrapServers(), controller);
        } else {
            props.setProperty("listeners", "PLAINTEXT://" + config.bootstrapServers() + ",CONTROLLER://" + controller);
            props.setProperty("advertised.listeners", "PLAINTEXT://" + config.bootstrapServers());
            props.setProperty("inter.broker.listener.name", "PLAINTEXT");
            props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        }
        if (config.cluster().isPresent()) {
            // A static quorum: every voter is known when the nodes are formatted, none is added later.
            props.setProperty("controller.quorum.voters", config.cluster().get().voters());
        } else {
            props.setProperty("controller.quorum.bootstrap.servers", controller);
        }
        props.setProperty("log.dirs", logDir(config).toAbsolutePath().toString());
        // One node: every internal topic with replication factor 1, or transactions cannot work. A cluster: one
        // replica per node (at most three), and a majority of them in sync for an acks=all write, so that what was
        // acknowledged survives the loss of a broker.
        String replicas = String.valueOf(config.replicationFactor());
        String minInsync = String.valueOf(config.cluster().map(ClusterMembership::minInsyncReplicas).orElse(1));
        props.setProperty("default.replication.factor", replicas);
        props.setProperty("min.insync.replicas", minInsync);
        props.setProperty("offsets.topic.replication.factor", replicas);
        props.setProperty("transaction.state.log.replication.factor", replicas);
        props.setProperty("transaction.state.log.min.isr", minInsync);
        props.setProperty("share.coordinator.state.topic.replication.factor", replicas);
        props.setProperty("share.coordinator.state.topic.min.isr", minInsync);
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

    /**
     * Clients: SASL_SSL with SCRAM-SHA-512 on the client port. The broker: mutual TLS with its own certificate on the
     * internal and controller listeners, which makes it the super user there; no anonymous principal is ever let in.
     */
    private static void securedListeners(Properties props, BrokerSecurity security, String client, String controller) {
        String internal = HOST + ":" + security.internalPort();
        props.setProperty("listeners", "CLIENT://" + client + ",INTERNAL://" + internal + ",CONTROLLER://" + controller);
        props.setProperty("advertised.listeners", "CLIENT://" + client + ",INTERNAL://" + internal);
        props.setProperty("inter.broker.listener.name", "INTERNAL");
        props.setProperty("listener.security.protocol.map", "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL");
        props.setProperty("ssl.keystore.type", "PKCS12");
        props.setProperty("ssl.keystore.location", security.keyStore().toAbsolutePath().toString());
        props.setProperty("ssl.keystore.password", security.keyStorePassword());
        props.setProperty("ssl.key.password", security.keyStorePassword());
        props.setProperty("ssl.truststore.type", "PEM");
        props.setProperty("ssl.truststore.location", security.caCertificate().toAbsolutePath().toString());
        props.setProperty("listener.name.internal.ssl.client.auth", "required");
        props.setProperty("listener.name.controller.ssl.client.auth", "required");
        props.setProperty("listener.name.client.sasl.enabled.mechanisms", BrokerSecurity.MECHANISM);
        props.setProperty("listener.name.client.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        props.setProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.setProperty("allow.everyone.if.no.acl.found", "false");
        props.setProperty("super.users", BrokerSecurity.SUPER_USER);
    }

    /** The broker's own admin client: the client port, or on a secured broker the internal port as super user. */
    private static Properties adminProperties(LocalKafkaConfig config) {
        Properties props = new Properties();
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.security().ifPresent(security -> {
            props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + security.internalPort());
            props.setProperty("security.protocol", "SSL");
            props.setProperty("ssl.keystore.type", "PKCS12");
            props.setProperty("ssl.keystore.location", security.keyStore().toAbsolutePath().toString());
            props.setProperty("ssl.keystore.password", security.keyStorePassword());
            props.setProperty("ssl.key.password", security.keyStorePassword());
            props.setProperty("ssl.truststore.type", "PEM");
            props.setProperty("ssl.truststore.location", security.caCertificate().toAbsolutePath().toString());
        });
        props.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "vitrine-kafka-local");
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return props;
    }

    private static Path logDir(LocalKafkaConfig config) {
        return config.dataDir().resolve("logs");
    }

    /**
     * Formats storage for a new single-node cluster, as {@code kafka-storage.sh format --standalone}, or for a node of a
     * cluster with a static quorum under the cluster's id, as {@code kafka-storage.sh format -t <id>}.
     */
    private static void format(LocalKafkaConfig config, Properties props) {
        try {
            Files.createDirectories(config.dataDir());
            Path propertiesFile = config.dataDir().resolve("server.properties");
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                props.store(out, "Vitrine local Kafka broker (written at format time, for reference)");
            }
            String[] arguments = config.cluster()
                    .map(cluster -> new String[] {"format", "-t", cluster.clusterId(), "-c", propertiesFile.toString()})
                    .orElseGet(() -> new String[] {"format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c",
                            propertiesFile.toString()});
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int exitCode;
            try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
                exitCode = StorageTool.execute(arguments, printStream);
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

    /**
     * Waits until the broker answers a client and reports itself as a cluster member; in a cluster, until it reports
     * as many brokers as there are replicas of a topic, so that topics can be created.
     */
    private static void awaitReady(Admin admin, LocalKafkaConfig config, long deadline) {
        Exception last = null;
        int brokers = config.replicationFactor();
        while (System.nanoTime() < deadline) {
            long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                if (admin.describeCluster().nodes().get(Math.min(remainingMs, 10_000), TimeUnit.MILLISECONDS)
                        .size() >= brokers) {
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

    private BrokerSecurity requireSecurity(String what) {
        return config.security().orElseThrow(() -> new LocalKafkaException(what + " need a broker with "
                + "BrokerSecurity; the broker on " + bootstrapServers() + " is PLAINTEXT"));
    }

    private Map<String, Object> adminSettings() {
        Map<String, Object> settings = new HashMap<>();
        adminProperties(config).forEach((key, value) -> settings.put((String) key, value));
        return settings;
    }

    /** An admin call of the broker's own or a user's, retried until it succeeds or {@link #ADMIN_TIMEOUT} passes. */
    private static void awaitAdmin(String what, Map<String, Object> settings, AdminCall call) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = Admin.create(settings)) {
            while (System.nanoTime() < deadline) {
                try {
                    call.apply(admin);
                    return;
                } catch (ExecutionException | RuntimeException e) {
                    last = e;
                }
                sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalKafkaException("Interrupted while waiting for " + what, e);
        }
        throw new LocalKafkaException("Kafka broker did not take " + what + " within " + ADMIN_TIMEOUT.toSeconds()
                + " s" + (last == null ? "" : ": " + last.getMessage()), last);
    }

    @FunctionalInterface
    private interface AdminCall {
        Object apply(Admin admin) throws ExecutionException, InterruptedException;
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
