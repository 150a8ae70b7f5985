package io.vitrine.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker with SASL_SSL and ACLs: a SCRAM user with an ACL writes; a wrong password, an untrusted certificate, a
 * missing ACL and a PLAINTEXT client are each refused with the error that names the reason.
 */
class SecureLocalKafkaTest {

    private static final String USER = "writer";
    private static final String PASSWORD = "writer-secret";

    @TempDir
    static Path dir;
    private static LocalKafka kafka;
    private static BrokerSecurity security;

    @BeforeAll
    static void startSecuredBroker() {
        security = BrokerSecurity.forTests(dir.resolve("tls"));
        kafka = LocalKafka.start(LocalKafkaConfig.forTests(dir.resolve("kafka")).withSecurity(security));
        kafka.addScramUser(USER, PASSWORD);
        kafka.addAcls(List.of(acl(Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX), AclOperation.WRITE),
                acl(Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX), AclOperation.DESCRIBE)));
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static AclBinding acl(String topic, AclOperation operation) {
        return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                new AccessControlEntry("User:" + USER, "*", operation, AclPermissionType.ALLOW));
    }

    private static Map<String, Object> client(Map<String, Object> security) {
        Map<String, Object> config = new HashMap<>(security);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return config;
    }

    private static void send(Map<String, Object> config, String topic) throws Exception {
        try (var producer = new KafkaProducer<>(client(config), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", "value")).get(30, TimeUnit.SECONDS);
        }
    }

    private static Throwable rootOf(Throwable thrown) {
        return thrown instanceof ExecutionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    @Test
    void aUserWithAWriteAclWritesOverSaslSsl() throws Exception {
        send(security.clientSettings(USER, PASSWORD), Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX));
    }

    @Test
    void theBrokerCreatedEveryTopicOfTheRegistryAsItsSuperUser() throws Exception {
        // The user sees only what its ACLs let it describe; the broker's own admin created them all.
        try (Admin admin = Admin.create(client(security.clientSettings(USER, PASSWORD)))) {
            assertEquals(Set.of(Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX)),
                    admin.listTopics().names().get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWrongPasswordFailsAuthenticationNamingTheMechanism() {
        Throwable thrown = rootOf(assertThrows(Exception.class,
                () -> send(security.clientSettings(USER, "not-the-password"), Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX))));
        assertInstanceOf(SaslAuthenticationException.class, thrown, thrown.toString());
        assertTrue(thrown.getMessage().contains("invalid credentials with SASL mechanism SCRAM-SHA-512"),
                thrown.getMessage());
    }

    @Test
    void aCertificateFromAnotherCaFailsTheHandshake() {
        Path otherCa = CertificateAuthority.create("Someone else's CA").writeCertificatePem(dir.resolve("other-ca.crt"));
        Map<String, Object> settings = new HashMap<>(security.clientSettings(USER, PASSWORD));
        settings.put("ssl.truststore.location", otherCa.toString());
        Throwable thrown = rootOf(assertThrows(Exception.class,
                () -> send(settings, Topic.IMPRESSIONS.name(Topic.DEFAULT_PREFIX))));
        assertInstanceOf(SslAuthenticationException.class, thrown, thrown.toString());
        assertTrue(thrown.getMessage().contains("SSL handshake failed"), thrown.getMessage());
    }

    @Test
    void aTopicWithoutAnAclIsRefusedByName() {
        String clicks = Topic.CLICKS.name(Topic.DEFAULT_PREFIX);
        Throwable thrown = rootOf(assertThrows(Exception.class,
                () -> send(security.clientSettings(USER, PASSWORD), clicks)));
        assertInstanceOf(TopicAuthorizationException.class, thrown, thrown.toString());
        assertEquals(Set.of(clicks), ((TopicAuthorizationException) thrown).unauthorizedTopics());
        assertTrue(thrown.getMessage().contains(clicks), thrown.getMessage());
    }

    @Test
    void aPlaintextClientGetsNoAnswer() {
        // The TLS listener cannot parse a PLAINTEXT request: the client sees the broker as unreachable.
        Map<String, Object> plaintext = client(Map.of());
        plaintext.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin admin = Admin.create(plaintext)) {
            // The outer wait only guards against a hang: the admin's own 3 s timeout is what must end the call, and on
            // a starved machine it fires late.
            Throwable thrown = assertThrows(Exception.class,
                    () -> admin.listTopics().names().get(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS));
            assertTrue(rootOf(thrown) instanceof org.apache.kafka.common.errors.TimeoutException, thrown.toString());
        }
    }
}
