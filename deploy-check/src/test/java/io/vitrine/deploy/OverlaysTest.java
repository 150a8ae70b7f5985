package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.schemas.Topic;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every Kustomize overlay of k8s/ renders, is valid against the schemas, and agrees with the code. */
class OverlaysTest {

    private static Schemas schemas;
    private static Map<String, Service> services;

    @BeforeAll
    static void load() {
        schemas = Schemas.load();
        services = Checks.services();
    }

    static List<ObjectNode> render(String overlay) {
        return Kustomize.render(Repo.root().resolve("k8s/overlays").resolve(overlay));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "external-kafka"})
    void everyManifestIsValidAgainstItsSchema(String overlay) {
        List<String> problems = new ArrayList<>();
        List<ObjectNode> manifests = render(overlay);
        manifests.forEach(manifest -> problems.addAll(schemas.validate(manifest)));
        assertEquals(List.of(), problems);
        assertTrue(manifests.size() >= 12, overlay + " rendered only " + manifests.size() + " manifests");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod", "external-kafka"})
    void workloadsAgreeWithTheServices(String overlay) {
        List<ObjectNode> manifests = render(overlay);
        List<String> problems = new ArrayList<>(Checks.workloads(manifests, services, Repo.version()));
        problems.addAll(Checks.servicesAndMonitor(manifests, services.keySet()));
        problems.addAll(Checks.singletons(manifests));
        assertEquals(List.of(), problems);
        manifests.forEach(m -> assertEquals("vitrine", m.path("metadata").path("namespace").asText(),
                m.path("kind").asText() + "/" + m.path("metadata").path("name").asText() + " namespace"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void strimziOverlaysHaveEveryTopicAndTheAclsTheServicesNeed(String overlay) {
        List<ObjectNode> manifests = render(overlay);
        String prefix = services.get("learner").resolved("vitrine.topics.prefix");
        assertEquals(Topic.DEFAULT_PREFIX, prefix);
        List<String> problems = new ArrayList<>(Checks.topics(manifests, prefix));
        problems.addAll(Checks.acls(manifests, services, prefix));
        assertEquals(List.of(), problems);
        for (ObjectNode manifest : manifests) {
            if (manifest.path("apiVersion").asText().startsWith("kafka.strimzi.io/")) {
                assertEquals("kafka.strimzi.io/v1", manifest.path("apiVersion").asText());
            }
        }
        assertEquals(2, count(manifests, "KafkaNodePool"));
        assertEquals(1, count(manifests, "Kafka"));
    }

    @Test
    void externalKafkaOverlayBringsNoKafka() {
        List<ObjectNode> manifests = render("external-kafka");
        assertTrue(manifests.stream().noneMatch(m -> m.path("apiVersion").asText().startsWith("kafka.strimzi.io/")));
        assertTrue(manifests.stream().anyMatch(m -> m.path("kind").asText().equals("ConfigMap")
                && m.path("data").path("kafka.properties").asText().contains("kafka.security.protocol=SASL_SSL")));
    }

    @Test
    void devShrinksKafkaAndTheLearnerToOneReplica() {
        List<ObjectNode> manifests = render("dev");
        manifests.stream().filter(m -> m.path("kind").asText().equals("KafkaTopic"))
                .forEach(t -> assertEquals(1, t.path("spec").path("replicas").asInt(), t.toString()));
        ObjectNode learner = one(manifests, "StatefulSet", "learner");
        assertEquals(1, learner.path("spec").path("replicas").asInt());
        assertEquals("1", env(learner, "KAFKA_STREAMS_REPLICATION_FACTOR"));
    }

    @Test
    void prodDeliversTheEncoderByAConfigMapTheSelectorMounts() {
        List<ObjectNode> manifests = render("prod");
        ObjectNode selector = one(manifests, "Deployment", "selector");
        String path = env(selector, "VITRINE_ENCODER_PATH");
        JsonNode mount = null;
        for (JsonNode m : selector.path("spec").path("template").path("spec").path("containers").get(0).path("volumeMounts")) {
            if (path.startsWith(m.path("mountPath").asText() + "/")) {
                mount = m;
            }
        }
        assertTrue(mount != null, "no volume mounted at " + path);
        String volumeName = mount.path("name").asText();
        String configMap = null;
        for (JsonNode v : selector.path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(volumeName)) {
                configMap = v.path("configMap").path("name").asText();
            }
        }
        ObjectNode encoder = one(manifests, "ConfigMap", configMap);
        assertTrue(configMap.matches("vitrine-encoder-[a-z0-9]{10}"), configMap);
        byte[] onnx = Base64.getDecoder().decode(encoder.path("binaryData")
                .path(path.substring(path.lastIndexOf('/') + 1)).asText());
        assertTrue(onnx.length > 100, "encoder of " + onnx.length + " bytes");
    }

    @Test
    void learnerUsesStaticMembershipAndAPersistentStateDirectory() {
        List<ObjectNode> manifests = render("prod");
        ObjectNode learner = one(manifests, "StatefulSet", "learner");
        String learnerProperties = manifests.stream().filter(m -> m.path("kind").asText().equals("ConfigMap"))
                .map(m -> m.path("data").path("learner.properties").asText("")).filter(s -> !s.isEmpty())
                .findFirst().orElseThrow();
        assertTrue(learnerProperties.contains("kafka-streams.main.consumer.group.instance.id=${HOSTNAME}"));
        assertTrue(env(learner, "QUARKUS_CONFIG_LOCATIONS").contains("learner.properties"));
        String stateDir = env(learner, "KAFKA_STREAMS_STATE_DIR");
        JsonNode claim = learner.path("spec").path("volumeClaimTemplates").get(0);
        boolean mounted = false;
        for (JsonNode m : learner.path("spec").path("template").path("spec").path("containers").get(0).path("volumeMounts")) {
            mounted |= m.path("name").asText().equals(claim.path("metadata").path("name").asText())
                    && m.path("mountPath").asText().equals(stateDir);
        }
        assertTrue(mounted, "the state directory " + stateDir + " is not the volume claim's mount");
        assertFalse(env(learner, "VITRINE_LEARNER_ADVERTISED_HOST") == null);
    }

    private static long count(List<ObjectNode> manifests, String kind) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).count();
    }

    static ObjectNode one(List<ObjectNode> manifests, String kind, String name) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)
                        && m.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    /** The value of an environment variable of the workload's first container ("" when it comes from elsewhere). */
    static String env(JsonNode workload, String name) {
        for (JsonNode env : workload.path("spec").path("template").path("spec").path("containers").get(0).path("env")) {
            if (env.path("name").asText().equals(name)) {
                return env.path("value").asText("");
            }
        }
        return null;
    }
}
