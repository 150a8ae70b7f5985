package io.vitrine.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * One Strimzi {@code KafkaUser} (SCRAM-SHA-512, {@code simple} authorization) as the Kafka ACL bindings that Strimzi's
 * user operator would create for it, so that a test can give a local broker the ACLs that {@code k8s/strimzi/users.yaml}
 * declares: the YAML is the one source of both.
 *
 * @param user the user name, also its principal {@code User:<user>}
 * @param acls its ACL bindings, in the order of the file
 */
record KafkaUserAcls(String user, List<AclBinding> acls) {

    KafkaUserAcls {
        acls = List.copyOf(acls);
    }

    /**
     * Every {@code KafkaUser} of a (multi-document) Strimzi YAML file; other kinds are skipped.
     *
     * @throws IllegalArgumentException naming the file, the user and the entry, for anything that is not a
     *                                  SCRAM-SHA-512 user with {@code simple} ACLs the reader understands
     */
    static List<KafkaUserAcls> read(Path yaml) throws IOException {
        List<KafkaUserAcls> users = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(yaml.toFile())) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && "KafkaUser".equals(document.path("kind").asText())) {
                    users.add(user(yaml, document));
                }
            }
        }
        return users;
    }

    private static KafkaUserAcls user(Path yaml, JsonNode document) {
        String name = document.path("metadata").path("name").asText("");
        String where = yaml + ": KafkaUser '" + name + "'";
        if (name.isEmpty()) {
            throw new IllegalArgumentException(yaml + ": a KafkaUser without metadata.name");
        }
        JsonNode spec = document.path("spec");
        String authentication = spec.path("authentication").path("type").asText("");
        if (!authentication.equals("scram-sha-512")) {
            throw new IllegalArgumentException(where + ": authentication.type '" + authentication
                    + "', only scram-sha-512 is read");
        }
        JsonNode authorization = spec.path("authorization");
        if (!authorization.path("type").asText("").equals("simple")) {
            throw new IllegalArgumentException(where + ": authorization.type '" + authorization.path("type").asText()
                    + "', only simple is read");
        }
        String principal = "User:" + name;
        List<AclBinding> bindings = new ArrayList<>();
        int index = 0;
        for (JsonNode acl : authorization.path("acls")) {
            index++;
            String entry = where + ", acl " + index;
            ResourcePattern pattern = pattern(entry, acl.path("resource"));
            String host = acl.path("host").asText("*");
            AclPermissionType permission = acl.path("type").asText("allow").equalsIgnoreCase("deny")
                    ? AclPermissionType.DENY : AclPermissionType.ALLOW;
            // Strimzi's current field is a list (operations); a single "operation" is its older spelling.
            List<String> operations = new ArrayList<>();
            acl.path("operations").forEach(op -> operations.add(op.asText()));
            if (acl.hasNonNull("operation")) {
                operations.add(acl.get("operation").asText());
            }
            if (operations.isEmpty()) {
                throw new IllegalArgumentException(entry + ": no operations");
            }
            for (String operation : operations) {
                bindings.add(new AclBinding(pattern, new AccessControlEntry(principal, host,
                        constant(entry, "operation", operation, AclOperation.class), permission)));
            }
        }
        return new KafkaUserAcls(name, bindings);
    }

    private static ResourcePattern pattern(String entry, JsonNode resource) {
        ResourceType type = constant(entry, "resource type", resource.path("type").asText(""), ResourceType.class);
        // Strimzi's cluster resource has no name; Kafka's is always "kafka-cluster".
        String name = type == ResourceType.CLUSTER ? "kafka-cluster" : resource.path("name").asText("");
        if (name.isEmpty()) {
            throw new IllegalArgumentException(entry + ": resource without a name");
        }
        PatternType patternType = constant(entry, "patternType", resource.path("patternType").asText("literal"),
                PatternType.class);
        return new ResourcePattern(type, name, patternType);
    }

    /** Strimzi's camel case ({@code DescribeConfigs}, {@code transactionalId}, {@code prefix}) as Kafka's constant. */
    private static <E extends Enum<E>> E constant(String entry, String what, String value, Class<E> type) {
        String snake = value.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        if (type == PatternType.class && snake.equals("PREFIX")) {
            snake = "PREFIXED";
        }
        try {
            E constant = Enum.valueOf(type, snake);
            if (constant.name().equals("UNKNOWN") || constant.name().equals("ANY") || constant.name().equals("MATCH")) {
                throw new IllegalArgumentException(snake);
            }
            return constant;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(entry + ": unknown " + what + " '" + value + "'", e);
        }
    }
}
