package io.vitrine.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * TLS and SASL for a {@link LocalKafka} broker, as a platform team runs Kafka: clients connect over {@code SASL_SSL}
 * with SCRAM-SHA-512 users, and an authorizer ({@code StandardAuthorizer}, {@code allow.everyone.if.no.acl.found=false})
 * lets each user do only what its ACLs allow.
 *
 * <p>The broker itself (its controller link and its own admin client, which creates topics, users and ACLs) talks
 * mutual TLS on an internal listener with its certificate {@code CN=localhost}, the one super user
 * ({@value #SUPER_USER}).
 *
 * @param keyStore         PKCS12 key store with the broker's key and certificate chain, for {@code localhost} and
 *                         {@code 127.0.0.1}
 * @param keyStorePassword password of the key store and its key
 * @param caCertificate    PEM file with the certificate of the CA that signed the broker's: what clients trust
 * @param internalPort     port of the internal mutual-TLS listener on localhost
 */
public record BrokerSecurity(Path keyStore, String keyStorePassword, Path caCertificate, int internalPort) {

    /** The broker's own principal, from the subject of its certificate. */
    public static final String SUPER_USER = "User:CN=" + LocalKafka.HOST;
    /** The one SASL mechanism the client listener accepts. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    public BrokerSecurity {
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(caCertificate, "caCertificate");
        if (internalPort < 1 || internalPort > 65_535) {
            throw new IllegalArgumentException("internalPort must be in 1..65535, was " + internalPort);
        }
    }

    /**
     * A new CA and a broker certificate it signed, written into {@code dir} ({@code ca.crt}, {@code broker.p12}), and
     * a free internal port: TLS for one test run.
     */
    public static BrokerSecurity forTests(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + dir, e);
        }
        CertificateAuthority ca = CertificateAuthority.create("Vitrine local CA " + UUID.randomUUID());
        String password = UUID.randomUUID().toString();
        Path keyStore = ca.writeKeyStore(dir.resolve("broker.p12"), password, LocalKafka.HOST,
                List.of(LocalKafka.HOST), List.of("127.0.0.1"));
        return new BrokerSecurity(keyStore, password, ca.writeCertificatePem(dir.resolve("ca.crt")),
                LocalKafkaConfig.freePort());
    }

    /**
     * What a client needs besides {@code bootstrap.servers} to connect as {@code user}: the settings of
     * {@code k8s/strimzi/kafka.properties} without their {@code kafka.} prefix.
     */
    public Map<String, Object> clientSettings(String user, String password) {
        return Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaasConfig(user, password),
                "ssl.truststore.type", "PEM",
                "ssl.truststore.location", caCertificate.toAbsolutePath().toString());
    }

    /** The SCRAM login of {@code user}, the value of {@code sasl.jaas.config}. */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + quoted(user)
                + "\" password=\"" + quoted(password) + "\";";
    }

    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
