package io.vitrine.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.schemas.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/compose/docker-compose.yml agrees with the code: topics, images, ports and environment variables. */
class ComposeTest {

    static ObjectNode compose() {
        return Repo.yamlFile(Repo.root().resolve("deploy/compose/docker-compose.yml"));
    }

    /** Problems of a compose file (empty: none). */
    static List<String> check(ObjectNode compose, Map<String, Service> services, String version) {
        List<String> problems = new ArrayList<>();
        String script = compose.path("services").path("topics").path("command").get(0).asText();
        Matcher create = Pattern.compile("--topic (\\S+) --partitions (\\d+) --config cleanup.policy=(\\w+)")
                .matcher(script);
        Map<String, String> created = new java.util.TreeMap<>();
        while (create.find()) {
            created.put(create.group(1), create.group(2) + " " + create.group(3));
        }
        Map<String, String> expected = new java.util.TreeMap<>();
        for (Checks.ExpectedTopic topic : Checks.expectedTopics(Topic.DEFAULT_PREFIX)) {
            expected.put(topic.name(), topic.partitions() + " " + (topic.compacted() ? "compact" : "delete"));
        }
        if (!created.equals(expected)) {
            problems.add("topics service creates " + created + ", the registry says " + expected);
        }
        for (Service service : services.values()) {
            JsonNode container = compose.path("services").path(service.name());
            problems.addAll(Checks.image("compose " + service.name(), container.path("image").asText(), service.name(),
                    version));
            container.path("environment").fieldNames().forEachRemaining(variable -> {
                if (!service.acceptsEnv(variable)) {
                    problems.add("compose " + service.name() + ": environment variable " + variable
                            + " maps to no configuration key");
                }
            });
            boolean published = false;
            for (JsonNode port : container.path("ports")) {
                published |= port.asText().endsWith(":" + service.port());
            }
            if (!published) {
                problems.add("compose " + service.name() + ": container port " + service.port() + " is not published");
            }
            int replicas = container.path("deploy").path("replicas").asInt(container.path("scale").asInt(1));
            if (Checks.SINGLETONS.contains(service.name()) && replicas != 1) {
                problems.add("compose " + service.name() + ": " + replicas + " replicas, it must run alone");
            }
        }
        return problems;
    }

    @Test
    void composeFileAgreesWithTheCode() {
        assertEquals(List.of(), check(compose(), Checks.services(), Repo.version()));
    }

    @Test
    void registryIsOptionalThroughAProfile() {
        ObjectNode compose = compose();
        assertEquals("registry", compose.path("services").path("registry").path("profiles").get(0).asText());
        assertTrue(compose.path("services").path("kafka").path("image").asText().startsWith("apache/kafka:"));
        assertEquals("broker,controller", compose.path("services").path("kafka").path("environment")
                .path("KAFKA_PROCESS_ROLES").asText());
    }
}
