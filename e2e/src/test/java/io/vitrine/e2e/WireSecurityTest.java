package io.vitrine.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.kafka.BrokerSecurity;
import io.vitrine.kafka.CertificateAuthority;
import io.vitrine.kafka.LocalKafka;
import io.vitrine.kafka.LocalKafkaConfig;
import io.vitrine.cli.VitrineCli;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.HttpDecisionClient;
import io.vitrine.cli.http.PosteriorSummary;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.sim.DecisionAnswer;
import io.vitrine.cli.sim.DecisionQuery;
import io.vitrine.cli.sim.KafkaEventSink;
import io.vitrine.cli.stack.Ports;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.avro.Candidate;
import io.vitrine.avro.Decision;
import io.vitrine.avro.DecisionRequest;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Topic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Vitrine on a broker as a platform team runs one: TLS listeners with certificates made for this run, SCRAM-SHA-512
 * users, and no access without an ACL. Each service connects as its own user with the ACLs that
 * {@code k8s/strimzi/users.yaml} declares for it (read from that file), configured as the Kubernetes manifests do it:
 * {@code k8s/strimzi/kafka.properties} through {@code QUARKUS_CONFIG_LOCATIONS}, the login in
 * {@code KAFKA_SASL_JAAS_CONFIG}; only the bootstrap address and the CA file differ.
 *
 * <p>The loop must work (a decision and its click become a reward and a newer posterior in the selector), and a wrong
 * password, an untrusted certificate and a missing ACL must each fail naming the cause.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WireSecurityTest {

    private static final String PREFIX = Topic.DEFAULT_PREFIX; // users.yaml names the topics with it
    private static final String SLOT = "secure-hotel/hero";
    private static final String TRACKING_USER = "front-end";
    private static final String OPERATOR_USER = "operator";
    private static final String EVALUATOR_USER = "evaluator";
    private static final Duration WAIT = Duration.ofSeconds(90);

    private static Path home;
    private static Path work;
    private static LocalKafka kafka;
    private static BrokerSecurity security;
    private static final Map<String, String> passwords = new LinkedHashMap<>();
    private static ServiceProcess learner;
    private static ServiceProcess selector;

    private final HttpClient httpClient = VitrineHttp.newClient();
    private final ObjectMapper json = new ObjectMapper();
    private final VitrineHttp http = new VitrineHttp(httpClient, json);

    @BeforeAll
    static void startSecuredBrokerAndServices() throws Exception {
        home = RepoHome.locate(Optional.empty());
        work = home.resolve("e2e/target/wire-security-" + System.nanoTime());
        security = BrokerSecurity.forTests(work.resolve("tls"));
        kafka = LocalKafka.start(LocalKafkaConfig.forTests(work.resolve("kafka")).withSecurity(security));

        List<KafkaUserAcls> declared = KafkaUserAcls.read(home.resolve("k8s/strimzi/users.yaml"));
        assertTrue(declared.stream().anyMatch(u -> u.user().equals("vitrine-selector"))
                && declared.stream().anyMatch(u -> u.user().equals("vitrine-learner")), "users.yaml: " + declared);
        for (KafkaUserAcls user : declared) {
            addUser(user.user(), user.acls());
        }
        // Not services of Vitrine's: whoever writes impressions and clicks, runs ./vitrine topics or evaluates the log.
        addUser(TRACKING_USER, List.of(allow(TRACKING_USER, Topic.IMPRESSIONS.name(PREFIX), AclOperation.WRITE),
                allow(TRACKING_USER, Topic.CLICKS.name(PREFIX), AclOperation.WRITE),
                allow(TRACKING_USER, Topic.DECISION_REQUESTS.name(PREFIX), AclOperation.WRITE)));
        addUser(OPERATOR_USER, List.of(
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, PREFIX, PatternType.PREFIXED),
                        new AccessControlEntry("User:" + OPERATOR_USER, "*", AclOperation.DESCRIBE, AclPermissionType.ALLOW)),
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, PREFIX, PatternType.PREFIXED),
                        new AccessControlEntry("User:" + OPERATOR_USER, "*", AclOperation.DESCRIBE_CONFIGS,
                                AclPermissionType.ALLOW))));
        addUser(EVALUATOR_USER, List.of(allow(EVALUATOR_USER, Topic.DECISIONS.name(PREFIX), AclOperation.READ),
                allow(EVALUATOR_USER, Topic.REWARDS.name(PREFIX), AclOperation.READ)));

        learner = service("learner", "learner", "vitrine-learner", passwords.get("vitrine-learner"),
                List.of("-Dvitrine.learner.attribution-window=1s", "-Dvitrine.learner.publish-interval=200ms",
                        "-Dvitrine.learner.idle-close-delay=1s"));
        selector = service("selector", "selector", "vitrine-selector", passwords.get("vitrine-selector"), List.of());
        learner.launch();
        selector.launch();
        learner.awaitReady();
        selector.awaitReady();
    }

    @AfterAll
    static void stopAll() {
        ServiceProcess.stopTogether(Stream.of(selector, learner).filter(Objects::nonNull)
                .toArray(ServiceProcess[]::new)).close();
        if (kafka != null) {
            kafka.close();
        }
    }

    private static void addUser(String user, List<AclBinding> acls) {
        String password = UUID.randomUUID().toString();
        kafka.addScramUser(user, password);
        kafka.addAcls(acls);
        passwords.put(user, password);
    }

    private static AclBinding allow(String user, String topic, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW));
    }

    /** A packaged service configured as on Kubernetes: the shipped properties file and the login in the environment. */
    private static ServiceProcess service(String name, String service, String user, String password,
                                          List<String> extra) {
        List<String> properties = new ArrayList<>(List.of(
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "-Dkafka.ssl.truststore.location=" + security.caCertificate().toAbsolutePath()));
        properties.addAll(extra);
        Map<String, String> environment = Map.of(
                "QUARKUS_CONFIG_LOCATIONS", home.resolve("k8s/strimzi/kafka.properties").toString(),
                "KAFKA_SASL_JAAS_CONFIG", BrokerSecurity.jaasConfig(user, password));
        return new ServiceProcess(name, home.resolve("services/" + service + "/target/quarkus-app/quarkus-run.jar"),
                work, Ports.anyFree(), properties, environment);
    }

    private DecisionAnswer decide(String requestId) throws Exception {
        EncoderInfo encoder = http.encoder(selector.uri());
        float[] context = new float[encoder.contextFeatures()];
        context[0] = 1f;
        List<DecisionQuery.CandidateFeatures> candidates = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            float[] features = new float[encoder.candidateFeatures()];
            features[i % features.length] = 1f;
            candidates.add(new DecisionQuery.CandidateFeatures("image-" + i, features));
        }
        return new HttpDecisionClient(httpClient, json, selector.uri())
                .decide(new DecisionQuery(requestId, SLOT, context, candidates, 1));
    }

    /** The impression and the click of a decision, written as the front end's own user. */
    private static void impressionAndClick(DecisionAnswer answer) {
        try (KafkaEventSink events = new KafkaEventSink(kafka.bootstrapServers(), PREFIX,
                security.clientSettings(TRACKING_USER, passwords.get(TRACKING_USER)))) {
            events.checkTopics();
            String shown = answer.chosen().get(0).candidateId();
            Instant now = Instant.now();
            events.impression(answer.requestId(), shown, now);
            events.click(answer.requestId(), shown, now.plusMillis(100));
            events.flush();
            assertEquals(0, events.failures(), "impression and click not written: " + events.firstFailure());
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + " not seen within " + WAIT.toSeconds() + " s");
            }
            Thread.sleep(250);
        }
    }

    private static String log(ServiceProcess service) {
        try {
            return Files.readString(service.log(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code ./vitrine} in this JVM: exit code and everything it printed. */
    private static CliRun vitrine(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        var cli = VitrineCli.commandLine(stream, stream);
        // Commands of other modules (evaluate) print through picocli's writers.
        cli.setOut(new java.io.PrintWriter(stream, true));
        cli.setErr(new java.io.PrintWriter(stream, true));
        int exit = cli.execute(args);
        return new CliRun(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    private record CliRun(int exit, String output) {
    }

    /** A {@code --command-config} file as for Kafka's own tools. */
    private static Path clientProperties(String name, Map<String, Object> settings) throws IOException {
        Properties properties = new Properties();
        settings.forEach((key, value) -> properties.setProperty(key, String.valueOf(value)));
        Path file = work.resolve(name + ".properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, null);
        }
        return file;
    }

    @Test
    @Order(1)
    void aDecisionAndItsClickBecomeARewardAndANewerPosteriorUnderTlsSaslAndAcls() throws Exception {
        DecisionAnswer first = decide("secure-" + UUID.randomUUID());
        assertEquals(0, first.posteriorVersion(), "the run starts from the prior");
        impressionAndClick(first);

        String scope = first.scope();
        await("the learner's posterior of " + scope + " with the reward", () -> {
            try {
                Optional<PosteriorSummary> posterior = http.posterior(learner.uri(), scope);
                return posterior.isPresent() && posterior.get().n() >= 1;
            } catch (Exception e) {
                return false;
            }
        });
        // The learner published it; the selector read it from the posteriors topic as its own user.
        await("a decision on a learned posterior", () -> {
            try {
                return decide("secure-" + UUID.randomUUID()).posteriorVersion() > 0;
            } catch (Exception e) {
                return false;
            }
        });
        String learnerLog = log(learner) + log(selector);
        assertFalse(learnerLog.contains("Not authorized"), "no authorization error in the services' logs");
    }

    @Test
    @Order(2)
    void theTopicCheckRunsWithACommandConfig() throws Exception {
        Path config = clientProperties("operator", security.clientSettings(OPERATOR_USER, passwords.get(OPERATOR_USER)));
        CliRun run = vitrine("topics", "--check", "--bootstrap-servers", kafka.bootstrapServers(),
                "--command-config", config.toString());
        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("all " + Topic.values().length + " topics under 'vitrine.' are as Vitrine"
                + " needs them"), run.output());
    }

    @Test
    @Order(2)
    void theEvaluatorReadsTheDecisionLogWithAKafkaConfig() throws Exception {
        Path config = clientProperties("evaluator", security.clientSettings(EVALUATOR_USER, passwords.get(EVALUATOR_USER)));
        Instant now = Instant.now();
        CliRun run = vitrine("evaluate", "--bootstrap-servers", kafka.bootstrapServers(), "--kafka-config",
                config.toString(), "--from", now.minus(Duration.ofHours(1)).toString(), "--to", now.toString(),
                "--reward-grace", "PT1M");
        assertEquals(0, run.exit(), run.output());
        // The one impression with its click of the first test: one reward, one round.
        assertTrue(run.output().contains(Topic.REWARDS.name(PREFIX) + ": 1 records read"), run.output());
        assertTrue(run.output().contains("1 rounds read from topics of " + kafka.bootstrapServers()), run.output());
    }

    @Test
    @Order(3)
    void aRequestOnTheDecisionRequestsTopicIsDecidedByTheSelectorsKafkaStreams() throws Exception {
        EncoderInfo encoder = http.encoder(selector.uri());
        String requestId = "secure-topic-" + UUID.randomUUID();
        List<Float> context = new ArrayList<>(java.util.Collections.nCopies(encoder.contextFeatures(), 0.5f));
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            candidates.add(new Candidate("image-" + i, new ArrayList<>(
                    java.util.Collections.nCopies(encoder.candidateFeatures(), (float) i))));
        }
        DecisionRequest request = DecisionRequest.newBuilder().setRequestId(requestId).setSlot(SLOT)
                .setContext(context).setCandidates(candidates).setK(1).setTimestamp(Instant.now()).build();
        Map<String, Object> producerConfig = new HashMap<>(security.clientSettings(TRACKING_USER,
                passwords.get(TRACKING_USER)));
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                AvroSerdes.registryless(DecisionRequest.class).serializer())) {
            producer.send(new ProducerRecord<>(Topic.DECISION_REQUESTS.name(PREFIX), requestId, request))
                    .get(30, TimeUnit.SECONDS);
        }

        // Read back as the evaluator, whose only rights are Read on decisions and rewards.
        Map<String, Object> consumerConfig = new HashMap<>(security.clientSettings(EVALUATOR_USER,
                passwords.get(EVALUATOR_USER)));
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        String decisions = Topic.DECISIONS.name(PREFIX);
        try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                AvroSerdes.registryless(Decision.class).deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(decisions).stream()
                    .map(info -> new TopicPartition(decisions, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            Decision decided = null;
            while (decided == null && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    if (requestId.equals(record.key())) {
                        decided = record.value();
                    }
                }
            }
            assertTrue(decided != null, "no decision for " + requestId + " on " + decisions);
            assertEquals(1, decided.getChosen().size());
        }
    }

    @Test
    @Order(4)
    void aWrongPasswordIsNamedAsAnAuthenticationFailure() throws Exception {
        Path config = clientProperties("wrong-password", security.clientSettings(OPERATOR_USER, "not-the-password"));
        CliRun run = vitrine("topics", "--check", "--bootstrap-servers", kafka.bootstrapServers(),
                "--command-config", config.toString());
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("Authentication failed during authentication due to invalid credentials with"
                + " SASL mechanism SCRAM-SHA-512"), run.output());
    }

    @Test
    @Order(5)
    void aCertificateFromAnotherCaIsNamedAsAHandshakeFailure() throws Exception {
        Path otherCa = CertificateAuthority.create("Someone else's CA").writeCertificatePem(work.resolve("other-ca.crt"));
        Map<String, Object> settings = new HashMap<>(security.clientSettings(OPERATOR_USER, passwords.get(OPERATOR_USER)));
        settings.put("ssl.truststore.location", otherCa.toString());
        CliRun run = vitrine("topics", "--check", "--bootstrap-servers", kafka.bootstrapServers(),
                "--command-config", clientProperties("other-ca", settings).toString());
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("SSL handshake failed"), run.output());
    }

    @Test
    @Order(6)
    void aLearnerWithoutWriteOnRewardsNamesTheTopic() throws Exception {
        String rewards = Topic.REWARDS.name(PREFIX);
        kafka.removeAcls(new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, rewards, PatternType.LITERAL),
                new AccessControlEntryFilter("User:vitrine-learner", null, AclOperation.WRITE, AclPermissionType.ALLOW)));
        impressionAndClick(decide("secure-no-acl-" + UUID.randomUUID()));
        String expected = "Not authorized to access topics: [" + rewards + "]";
        await("'" + expected + "' in the learner's log", () -> log(learner).contains(expected));
        // Its Kafka Streams stopped: the learner reports itself not ready instead of silently learning nothing.
        // Its Kafka Streams stopped: the learner says so on its readiness endpoint.
        await("the learner's readiness check learner-state DOWN", () -> readinessCheckDown(learner, "learner-state"));
    }

    @Test
    @Order(7)
    void aServiceWithAWrongPasswordOrAnUntrustedCertificateSaysSoAndIsNotReady() throws Exception {
        Path otherCa = CertificateAuthority.create("Another CA").writeCertificatePem(work.resolve("another-ca.crt"));
        try (ServiceProcess wrongPassword = service("selector-wrong-password", "selector", "vitrine-selector",
                "not-the-password", List.of());
             ServiceProcess untrusted = service("selector-untrusted", "selector", "vitrine-selector", passwords.get("vitrine-selector"),
                     List.of("-Dkafka.ssl.truststore.location=" + otherCa));
             var stopping = ServiceProcess.stopTogether(wrongPassword, untrusted)) {
            wrongPassword.launch();
            untrusted.launch();
            await("the authentication failure in the log of a selector with a wrong password",
                    () -> log(wrongPassword).contains("Authentication failed during authentication due to invalid"
                            + " credentials with SASL mechanism SCRAM-SHA-512"));
            await("the handshake failure in the log of a selector that trusts another CA",
                    () -> log(untrusted).contains("SSL handshake failed"));
            assertFalse(http.ready(wrongPassword.uri()), "a selector that cannot log in is not ready");
            assertFalse(http.ready(untrusted.uri()), "a selector that cannot trust the broker is not ready");
        }
    }

    /** Whether {@code /q/health/ready} answers 503 with the check {@code name} DOWN. */
    private boolean readinessCheckDown(ServiceProcess service, String name) {
        try {
            var response = httpClient.send(java.net.http.HttpRequest.newBuilder(service.uri().resolve("/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 503) {
                return false;
            }
            for (var check : json.readTree(response.body()).path("checks")) {
                if (name.equals(check.path("name").asText()) && "DOWN".equals(check.path("status").asText())) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
