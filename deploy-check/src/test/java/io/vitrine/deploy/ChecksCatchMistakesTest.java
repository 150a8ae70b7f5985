package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks the other tests rely on do find mistakes, shown on deliberately broken fixtures. */
class ChecksCatchMistakesTest {

    private static final Path FIXTURES = Repo.root().resolve("deploy-check/src/test/resources/fixtures");

    @Test
    void aKafkaTopicWithAWrongNameIsFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(FIXTURES.resolve("wrong-topic/topics.yaml")));
        List<String> problems = Checks.topics(manifests, Topic.DEFAULT_PREFIX);
        assertEquals(List.of("topic vitrine.decisions: no KafkaTopic",
                "KafkaTopic vitrine.decision: not a topic of the registry (Topic.java)"), problems);
    }

    @Test
    void wrongPartitionsAndCleanupPolicyAreFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(Repo.root().resolve("k8s/strimzi/topics.yaml")));
        manifests.stream().filter(t -> t.path("metadata").path("name").asText().equals("vitrine.posteriors"))
                .forEach(t -> {
                    ((ObjectNode) t.path("spec")).put("partitions", 3);
                    ((ObjectNode) t.path("spec").path("config")).put("cleanup.policy", "delete");
                });
        assertEquals(List.of("topic vitrine.posteriors: 3 partitions, the registry says 2",
                "topic vitrine.posteriors: cleanup.policy delete, the registry says compact"),
                Checks.topics(manifests, Topic.DEFAULT_PREFIX));
    }

    @Test
    void aMissingAclIsFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(Repo.root().resolve("k8s/strimzi/users.yaml")));
        ObjectNode learner = manifests.get(1);
        var acls = (com.fasterxml.jackson.databind.node.ArrayNode) learner.path("spec").path("authorization").path("acls");
        acls.remove(acls.size() - 1); // the transactionalId prefix
        List<String> problems = Checks.acls(manifests, Checks.services(), Topic.DEFAULT_PREFIX);
        assertEquals(List.of("KafkaUser vitrine-learner: no ACL allows Write on transactionalId vitrine.learner-process-0"),
                problems);
    }

    @Test
    void wrongEnvironmentVariablesAndImageTagAreFound() {
        List<ObjectNode> manifests = Kustomize.render(FIXTURES.resolve("wrong-env"));
        List<String> problems = Checks.workloads(manifests, Checks.services(), Repo.version());
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.contains("Deployment/selector container selector: environment variable "
                + "VITRINE_SELECTOR_MAX_CANDIDATE maps to no configuration key of the selector"), problems.toString());
        assertTrue(problems.contains("StatefulSet/learner container learner: environment variable "
                + "KAFKA_STREAMS_NUM_STREAM_THREADS maps to no configuration key of the learner"), problems.toString());
        assertTrue(problems.contains("Deployment/selector container selector: image vitrine/selector:0.0.1, expected "
                + "vitrine/selector:" + Repo.version() + " (the project version)"), problems.toString());
    }

    @Test
    void environmentRuleFollowsHowQuarkusReadsVariables() {
        Service selector = Checks.services().get("selector");
        assertTrue(selector.acceptsEnv("KAFKA_BOOTSTRAP_SERVERS"));
        assertTrue(selector.acceptsEnv("KAFKA_SASL_JAAS_CONFIG"));
        assertTrue(selector.acceptsEnv("VITRINE_SELECTOR_MAX_CANDIDATES"));
        Service learner = Checks.services().get("learner");
        assertTrue(learner.acceptsEnv("QUARKUS_KAFKA_STREAMS_SASL_JAAS_CONFIG"), "declared by the Streams extension");
        assertTrue(learner.acceptsEnv("QUARKUS_KAFKA_STREAMS_SSL_TRUSTSTORE_LOCATION"));
        org.junit.jupiter.api.Assertions.assertFalse(learner.acceptsEnv("QUARKUS_KAFKA_STREAMS_SASL_MECHANISMS"));
        assertTrue(selector.acceptsEnv("VITRINE_ENCODER_DEFAULTS_CONTEXT_FEATURES"));
        assertTrue(selector.acceptsEnv("KAFKA_STREAMS_STATE_DIR"));
        assertTrue(!selector.acceptsEnv("VITRINE_LEARNER_ADVERTISED_HOST"), "a learner key on the selector");
        assertTrue(!selector.acceptsEnv("KAFKA_SASL_JAAS_CONFIGS"));
        assertTrue(selector.acceptsKey("kafka-streams.main.consumer.group.instance.id"));
        assertTrue(selector.acceptsKey("kafka-streams.sasl.jaas.config"));
        assertTrue(!selector.acceptsKey("kafka-streams.main.consumer.group.instance"));
        assertTrue(!selector.acceptsKey("vitrine.selector.max-candidate"));
    }

    @Test
    void schemaViolationsAreFound() {
        Schemas schemas = Schemas.load();
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(FIXTURES.resolve("schema-invalid/manifests.yaml")));
        List<List<String>> problems = new ArrayList<>();
        manifests.forEach(m -> problems.add(schemas.validate(m)));
        assertTrue(problems.get(0).stream().anyMatch(p -> p.contains("replicas")), problems.get(0).toString());
        assertTrue(problems.get(0).stream().anyMatch(p -> p.contains("livenessprobe")), problems.get(0).toString());
        assertTrue(problems.get(1).stream().anyMatch(p -> p.contains("operations")), problems.get(1).toString());
        assertTrue(problems.get(2).stream().anyMatch(p -> p.contains("intervall")), problems.get(2).toString());
        assertEquals(List.of("KafkaTopic/vitrine.decisions: no schema for apiVersion/kind 'kafka.strimzi.io/v1beta2 KafkaTopic'"),
                problems.get(3), "only v1 is served by the Strimzi CRDs used");
    }
}
