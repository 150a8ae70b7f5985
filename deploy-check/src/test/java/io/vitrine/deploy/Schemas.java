package io.vitrine.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * JSON schemas of every kind the manifests use, all taken from packages unpacked by the build:
 * <ul>
 *   <li>Kubernetes (Deployment, StatefulSet, Service, ...): the npm packages kubernetes-models and
 *       {@code @kubernetes-models/apimachinery}, generated from the Kubernetes OpenAPI document; their
 *       {@code _schemas/*.js} files each hold one schema as a JSON literal, registered under its OpenAPI name and
 *       referring to the others as {@code "io.k8s...#"};</li>
 *   <li>ServiceMonitor, PrometheusRule: {@code @kubernetes-models/prometheus-operator}, the CRDs' openAPIV3Schema;</li>
 *   <li>Kafka, KafkaNodePool, KafkaTopic, KafkaUser: the CRDs of Strimzi's {@code io.strimzi:api} test jar, whose
 *       only served version is {@code kafka.strimzi.io/v1}.</li>
 * </ul>
 * Every object schema that lists its properties is made strict ({@code additionalProperties: false}, as
 * {@code kubectl --validate=strict} and the API server's strict field validation behave), except where a CRD keeps
 * unknown fields on purpose ({@code x-kubernetes-preserve-unknown-fields}).
 */
final class Schemas {

    private final Map<String, JsonSchema> byKind = new HashMap<>();
    /** Kubernetes kinds: compiled on first use, each as a reference into the shared definitions. */
    private final Map<String, String> kubernetesKinds = new HashMap<>();
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private ObjectNode kubernetes;

    private Schemas() {
    }

    static Schemas load() {
        Schemas schemas = new Schemas();
        JsonSchemaFactory factory = schemas.factory;

        ObjectNode definitions = Repo.JSON.createObjectNode();
        for (String dir : List.of("kubernetes-models/package/_schemas", "apimachinery/package/_schemas")) {
            for (Path file : files(Repo.schemas().resolve(dir), ".js")) {
                String source = Repo.read(file);
                definitions.set(registeredId(source, file), jsonLiteral(source, file));
            }
        }
        rewriteRefs(definitions);
        definitions.elements().forEachRemaining(Schemas::strict);
        ObjectNode root = Repo.JSON.createObjectNode();
        root.set("definitions", definitions);
        definitions.fields().forEachRemaining(entry -> {
            JsonNode properties = entry.getValue().path("properties");
            JsonNode apiVersions = properties.path("apiVersion").path("enum");
            JsonNode kinds = properties.path("kind").path("enum");
            if (apiVersions.size() == 1 && kinds.size() == 1) {
                schemas.kubernetesKinds.put(apiVersions.get(0).asText() + " " + kinds.get(0).asText(), entry.getKey());
            }
        });
        schemas.kubernetes = root;

        for (String kind : List.of("ServiceMonitor", "PrometheusRule")) {
            Path file = Repo.schemas().resolve("prometheus-operator/package/monitoring.coreos.com/v1/" + kind + ".js");
            ObjectNode crd = jsonLiteral(Repo.read(file), file);
            ((ObjectNode) crd.path("properties")).remove("metadata"); // refers to ObjectMeta, validated below
            strict(crd);
            ObjectNode crdRoot = root.deepCopy();
            crdRoot.setAll(crd);
            ((ObjectNode) crdRoot.path("properties")).putObject("metadata")
                    .put("$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
            schemas.byKind.put("monitoring.coreos.com/v1 " + kind, factory.getSchema(crdRoot));
        }

        for (Path file : files(Repo.schemas().resolve("strimzi/crds/v1"), ".yaml")) {
            ObjectNode crd = Repo.yamlFile(file);
            String group = crd.path("spec").path("group").asText();
            String kind = crd.path("spec").path("names").path("kind").asText();
            for (JsonNode version : crd.path("spec").path("versions")) {
                if (!version.path("served").asBoolean()) {
                    continue;
                }
                ObjectNode schema = (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
                strict(schema);
                ObjectNode crdRoot = root.deepCopy();
                crdRoot.setAll(schema);
                ((ObjectNode) crdRoot.path("properties")).putObject("metadata")
                        .put("$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
                schemas.byKind.put(group + "/" + version.path("name").asText() + " " + kind,
                        factory.getSchema(crdRoot));
            }
        }
        return schemas;
    }

    private JsonSchema schema(String key) {
        String definition = kubernetesKinds.get(key);
        if (definition == null) {
            return byKind.get(key);
        }
        return byKind.computeIfAbsent(key, k -> {
            ObjectNode schema = kubernetes.deepCopy();
            schema.put("$ref", "#/definitions/" + definition);
            return factory.getSchema(schema);
        });
    }

    /** Problems of one manifest, each prefixed with its kind and name; empty when it is valid. */
    List<String> validate(JsonNode manifest) {
        String key = manifest.path("apiVersion").asText() + " " + manifest.path("kind").asText();
        String name = manifest.path("kind").asText() + "/" + manifest.path("metadata").path("name").asText();
        JsonSchema schema = schema(key);
        if (schema == null) {
            return List.of(name + ": no schema for apiVersion/kind '" + key + "'");
        }
        List<String> problems = new ArrayList<>();
        for (ValidationMessage message : schema.validate(manifest)) {
            problems.add(name + ": " + message.getMessage());
        }
        return problems;
    }

    private static List<Path> files(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> list = files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
            if (list.isEmpty()) {
                throw new IllegalStateException("no " + suffix + " files in " + dir + " (did the build unpack them?)");
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String registeredId(String source, Path file) {
        var matcher = java.util.regex.Pattern.compile("register\\)\\(\"([^\"]+)\", schema\\)").matcher(source);
        if (!matcher.find()) {
            throw new IllegalArgumentException(file + ": no register(\"...\", schema) call");
        }
        return matcher.group(1);
    }

    /**
     * The object literal after {@code const schema = }: JSON as the package generator wrote it, cut out by matching
     * braces outside strings.
     */
    static ObjectNode jsonLiteral(String source, Path file) {
        int start = source.indexOf("const schema = ");
        if (start < 0) {
            throw new IllegalArgumentException(file + ": no 'const schema = ' literal");
        }
        start = source.indexOf('{', start);
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < source.length(); i++) {
            char c = source.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return (ObjectNode) Repo.json(source.substring(start, i + 1));
            }
        }
        throw new IllegalArgumentException(file + ": unbalanced schema literal");
    }

    /** {@code "$ref": "io.k8s.api.core.v1.PodSpec#"} becomes a reference into the shared definitions. */
    private static void rewriteRefs(JsonNode node) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().endsWith("#") && !ref.asText().startsWith("#")) {
                String id = ref.asText();
                ((ObjectNode) node).put("$ref", "#/definitions/" + id.substring(0, id.length() - 1));
            }
            node.elements().forEachRemaining(Schemas::rewriteRefs);
        } else if (node.isArray()) {
            node.elements().forEachRemaining(Schemas::rewriteRefs);
        }
    }

    /** additionalProperties: false on every object schema that lists properties and keeps no unknown fields. */
    private static void strict(JsonNode node) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            if (object.path("properties").isObject() && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            if (object.path("properties").isObject()) {
                object.path("properties").elements().forEachRemaining(Schemas::strict);
            }
            for (String key : List.of("items", "additionalProperties", "definitions")) {
                JsonNode child = object.get(key);
                if (child != null && key.equals("definitions")) {
                    child.elements().forEachRemaining(Schemas::strict);
                } else if (child != null) {
                    strict(child);
                }
            }
            for (String key : List.of("oneOf", "anyOf", "allOf")) {
                object.path(key).elements().forEachRemaining(Schemas::strict);
            }
        } else if (node.isArray()) {
            node.elements().forEachRemaining(Schemas::strict);
        }
    }
}
