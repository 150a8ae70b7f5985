package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.schemas.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        removeAcl(acls(user(manifests, "vitrine-learner")), "transactionalId", "vitrine.learner");
        List<String> problems = Checks.acls(manifests, Checks.services(), Topic.DEFAULT_PREFIX);
        assertEquals(List.of("KafkaUser vitrine-learner: no ACL allows Write on transactionalId vitrine.learner-process-0"),
                problems);
    }

    @Test
    void aMissingTrainerUserOrTrainerAclIsFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(Repo.root().resolve("k8s/strimzi/users.yaml")));
        ArrayNode acls = acls(user(manifests, "vitrine-trainer"));
        removeAcl(acls, "group", "vitrine.learner-v-");
        removeAcl(acls, "topic", "vitrine.rewards");
        assertEquals(List.of("KafkaUser vitrine-trainer: no ACL allows Read on topic vitrine.rewards",
                        "KafkaUser vitrine-trainer: no ACL allows Describe on group vitrine.learner-v-any-version"),
                Checks.acls(manifests, Map.of("trainer", Checks.services().get("trainer")), Topic.DEFAULT_PREFIX));
        manifests.remove(user(manifests, "vitrine-trainer"));
        assertEquals(List.of("KafkaUser vitrine-trainer is missing"),
                Checks.acls(manifests, Checks.services(), Topic.DEFAULT_PREFIX));
    }

    @Test
    void trainerAclsBeyondWhatItsCodeDoesAreFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(Repo.root().resolve("k8s/strimzi/users.yaml")));
        ArrayNode acls = acls(user(manifests, "vitrine-trainer"));
        for (var acl : acls) {
            if (acl.path("resource").path("type").asText().equals("group")) {
                ((ArrayNode) acl.path("operations")).add("Read");
            }
        }
        // Without its transactional ids it could not fence an older trainer, nor write at all.
        removeAcl(acls, "transactionalId", "vitrine.trainer-");
        assertEquals(List.of("KafkaUser vitrine-trainer: no ACL allows Write on transactionalId "
                        + "vitrine.trainer-encoders",
                "KafkaUser vitrine-trainer: no ACL allows Write on transactionalId vitrine.trainer-serving",
                "KafkaUser vitrine-trainer: allows Read on group vitrine.learner-v-, but the trainer "
                        + "joins no consumer group"),
                Checks.acls(manifests, Checks.services(), Topic.DEFAULT_PREFIX));
    }

    @Test
    void selectorsThatCannotLoadPromotedEncodersAreFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(Repo.root().resolve("k8s/strimzi/users.yaml")));
        removeAcl(acls(user(manifests, "vitrine-selector")), "topic", "vitrine.encoder-serving");
        removeAcl(acls(user(manifests, "vitrine-selector")), "topic", "vitrine.encoders");
        assertEquals(Set.of("KafkaUser vitrine-selector: no ACL allows Read on topic vitrine.encoders",
                        "KafkaUser vitrine-selector: no ACL allows Read on topic vitrine.encoder-serving"),
                Set.copyOf(Checks.acls(manifests, Checks.services(), Topic.DEFAULT_PREFIX)));
    }

    @Test
    void aMissingEncoderServingTopicIsFound() {
        List<ObjectNode> manifests = Repo.yamlDocuments(Repo.read(Repo.root().resolve("k8s/strimzi/topics.yaml")));
        manifests.removeIf(t -> t.path("metadata").path("name").asText().equals("vitrine.encoder-serving"));
        assertEquals(List.of("topic vitrine.encoder-serving: no KafkaTopic"),
                Checks.topics(manifests, Topic.DEFAULT_PREFIX));
    }

    @Test
    void aMissingOrScaledTrainerIsFound() {
        List<ObjectNode> manifests = OverlaysTest.render("dev");
        ObjectNode trainer = OverlaysTest.one(manifests, "Deployment", "trainer");
        ((ObjectNode) trainer.path("spec")).put("replicas", 2);
        ((ObjectNode) trainer.path("spec").path("strategy")).put("type", "RollingUpdate");
        ObjectNode hpa = OverlaysTest.one(manifests, "HorizontalPodAutoscaler", "selector").deepCopy();
        ((ObjectNode) hpa.path("metadata")).put("name", "trainer");
        ((ObjectNode) hpa.path("spec").path("scaleTargetRef")).put("name", "trainer");
        manifests.add(hpa);
        assertEquals(List.of("Deployment/trainer: 2 replicas, it must run alone",
                "Deployment/trainer: strategy RollingUpdate, expected Recreate (a rolling update runs the old and the "
                        + "new pod together)",
                "HorizontalPodAutoscaler/trainer scales trainer, which must run alone"), Checks.singletons(manifests));
        manifests.remove(trainer);
        assertEquals(List.of("trainer: expected one Deployment, found []"), Checks.singletons(manifests));
        assertEquals(List.of("found 2 service containers, expected one per service: "
                + Checks.services().keySet()), Checks.workloads(manifests, Checks.services(), Repo.version()));
    }

    @Test
    void anUnscrapedTrainerIsFound() {
        List<ObjectNode> manifests = OverlaysTest.render("external-kafka");
        ObjectNode service = OverlaysTest.one(manifests, "Service", "trainer");
        ((ObjectNode) service.path("metadata").path("labels")).remove("vitrine.io/scrape");
        assertEquals(List.of("ServiceMonitor selects the Services of [learner, selector], expected "
                + "[learner, selector, trainer]"), Checks.servicesAndMonitor(manifests, Checks.services().keySet()));
    }

    @Test
    void mountedPropertiesAreCheckedAgainstTheServiceThatMountsThem() {
        List<ObjectNode> manifests = OverlaysTest.render("external-kafka");
        ObjectNode config = manifests.stream().filter(m -> m.path("data").has("trainer.properties")).findFirst()
                .orElseThrow();
        ObjectNode data = (ObjectNode) config.path("data");
        data.put("trainer.properties", data.path("trainer.properties").asText() + "vitrine.trainer.every-reward=100\n");
        assertEquals(List.of("Deployment/trainer container trainer: trainer.properties sets "
                        + "vitrine.trainer.every-reward, which is no configuration key of the trainer"),
                Checks.workloads(manifests, Checks.services(), Repo.version()),
                "the learner mounts only learner.properties of the same ConfigMap");
    }

    @Test
    void aComposeFileWithoutTheTrainerOrItsTopicIsFound() {
        ObjectNode compose = ComposeTest.compose();
        ObjectNode services = (ObjectNode) compose.path("services");
        ObjectNode topics = (ObjectNode) services.path("topics");
        String script = topics.path("command").get(0).asText();
        ((ArrayNode) topics.path("command")).set(0, script.replaceAll("(?m)^.*vitrine\\.encoder-serving.*\n", ""));
        ((ObjectNode) services.path("trainer")).put("scale", 2);
        List<String> problems = ComposeTest.check(compose, Checks.services(), Repo.version());
        assertEquals(2, problems.size(), problems.toString());
        String[] createdAndExpected = problems.get(0).split(", the registry says ");
        assertTrue(createdAndExpected[0].startsWith("topics service creates {")
                && !createdAndExpected[0].contains("vitrine.encoder-serving")
                && createdAndExpected[1].contains("vitrine.encoder-serving=1 compact"), problems.get(0));
        assertTrue(problems.contains("compose trainer: 2 replicas, it must run alone"), problems.toString());
        ObjectNode withoutTrainer = ComposeTest.compose();
        ((ObjectNode) withoutTrainer.path("services")).remove("trainer");
        assertEquals(List.of("compose trainer: image , expected vitrine/trainer:" + Repo.version()
                        + " (the project version)", "compose trainer: container port 8082 is not published"),
                ComposeTest.check(withoutTrainer, Checks.services(), Repo.version()));
    }

    private static ObjectNode user(List<ObjectNode> manifests, String name) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals("KafkaUser")
                && m.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static ArrayNode acls(ObjectNode user) {
        return (ArrayNode) user.path("spec").path("authorization").path("acls");
    }

    private static void removeAcl(ArrayNode acls, String type, String name) {
        for (int i = acls.size() - 1; i >= 0; i--) {
            if (acls.get(i).path("resource").path("type").asText().equals(type)
                    && acls.get(i).path("resource").path("name").asText().equals(name)) {
                acls.remove(i);
                return;
            }
        }
        throw new AssertionError("no ACL on " + type + " " + name);
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
