package io.vitrine.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.JsonPatch;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Renders a Kustomize directory the way {@code kubectl kustomize} does, for the subset of Kustomize that k8s/ uses:
 * {@code resources} (files and directories), {@code namespace}, {@code configMapGenerator} ({@code files}, with the
 * content-hash name suffix and the rewriting of the references to it), {@code images} ({@code newName},
 * {@code newTag}) and {@code patches} in JSON 6902 form, targeted by kind and optionally name.
 *
 * <p>Hand-written because no Kustomize runs on the JVM or from the npm registry, and kubectl is not available to the
 * build. Anything else in a kustomization.yaml is refused, so that the manifests cannot quietly use a feature this
 * renderer would get wrong. The name suffix is a content hash in Kustomize's form (ten characters of a SHA-256 over
 * kind, name, data and binaryData) but not byte for byte Kustomize's value: what the checks need is that every
 * reference follows the renamed ConfigMap and that other content gives another name. Apart from those suffixes, the
 * rendered overlays were compared with {@code kubectl kustomize} (Kustomize v5.5.0) when this was written.
 */
final class Kustomize {

    private static final List<String> SUPPORTED = List.of(
            "apiVersion", "kind", "resources", "namespace", "configMapGenerator", "images", "patches");

    private Kustomize() {
    }

    static List<ObjectNode> render(Path dir) {
        return build(dir).resources();
    }

    /** Rendered resources, and the generated ConfigMaps' names with their hash suffix (references follow upwards). */
    private record Built(List<ObjectNode> resources, Map<String, String> renamed) {
    }

    private static Built build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        ObjectNode kustomization = Repo.yamlFile(file);
        kustomization.fieldNames().forEachRemaining(field -> {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(file + ": '" + field + "' is not supported by this renderer");
            }
        });
        List<ObjectNode> resources = new ArrayList<>();
        Map<String, String> renamed = new HashMap<>();
        for (JsonNode entry : kustomization.path("resources")) {
            Path path = dir.resolve(entry.asText()).normalize();
            if (Files.isDirectory(path)) {
                Built built = build(path);
                resources.addAll(built.resources());
                renamed.putAll(built.renamed());
            } else {
                resources.addAll(Repo.yamlDocuments(Repo.read(path)));
            }
        }
        List<ObjectNode> generated = new ArrayList<>();
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            generated.add(configMap(dir, generator));
        }
        resources.addAll(generated);
        for (JsonNode patch : kustomization.path("patches")) {
            resources = patch(resources, patch, file);
        }
        String namespace = kustomization.path("namespace").asText(null);
        if (namespace != null) {
            resources.forEach(resource -> ((ObjectNode) resource.path("metadata")).put("namespace", namespace));
        }
        for (JsonNode image : kustomization.path("images")) {
            resources.forEach(resource -> containers(resource, container -> setImage(container, image)));
        }
        for (ObjectNode configMap : generated) {
            ObjectNode metadata = (ObjectNode) configMap.path("metadata");
            String name = metadata.path("name").asText();
            String hashed = name + "-" + hash(configMap);
            metadata.put("name", hashed);
            renamed.put(name, hashed);
        }
        resources.forEach(resource -> podSpec(resource, spec -> renameConfigMaps(spec, renamed)));
        return new Built(resources, renamed);
    }

    private static ObjectNode configMap(Path dir, JsonNode generator) {
        ObjectNode configMap = Repo.JSON.createObjectNode();
        configMap.put("apiVersion", "v1");
        configMap.put("kind", "ConfigMap");
        configMap.putObject("metadata").put("name", generator.path("name").asText());
        generator.fieldNames().forEachRemaining(field -> {
            if (!field.equals("name") && !field.equals("files")) {
                throw new IllegalArgumentException("configMapGenerator '" + field + "' is not supported");
            }
        });
        for (JsonNode entry : generator.path("files")) {
            String spec = entry.asText();
            int eq = spec.indexOf('=');
            String key = eq < 0 ? Path.of(spec).getFileName().toString() : spec.substring(0, eq);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(dir.resolve(eq < 0 ? spec : spec.substring(eq + 1)));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            String text = utf8(bytes);
            if (text != null) {
                configMap.with("data").put(key, text);
            } else {
                configMap.with("binaryData").put(key, Base64.getEncoder().encodeToString(bytes));
            }
        }
        return configMap;
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Content hash of a ConfigMap, in the alphabet of Kustomize's suffixes. */
    static String hash(ObjectNode configMap) {
        Map<String, Object> encoded = new TreeMap<>(); // Go's json.Marshal writes map keys sorted
        encoded.put("kind", "ConfigMap");
        encoded.put("name", configMap.path("metadata").path("name").asText());
        encoded.put("data", new TreeMap<>(Repo.JSON.convertValue(
                configMap.path("data").isMissingNode() ? Repo.JSON.createObjectNode() : configMap.path("data"),
                Map.class)));
        if (configMap.has("binaryData")) {
            encoded.put("binaryData", new TreeMap<>(Repo.JSON.convertValue(configMap.path("binaryData"), Map.class)));
        }
        try {
            // Go escapes <, > and & in JSON strings; Jackson does not: done by hand for identical bytes.
            String json = Repo.JSON.writeValueAsString(encoded)
                    .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                hex.append(String.format("%02x", digest[i]));
            }
            StringBuilder out = new StringBuilder();
            for (char c : hex.toString().toCharArray()) {
                out.append(switch (c) {
                    case '0' -> 'g';
                    case '1' -> 'h';
                    case '3' -> 'k';
                    case 'a' -> 'm';
                    case 'e' -> 't';
                    default -> c;
                });
            }
            return out.toString();
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ObjectNode> patch(List<ObjectNode> resources, JsonNode entry, Path file) {
        JsonNode target = entry.path("target");
        String kind = target.path("kind").asText(null);
        String name = target.path("name").asText(null);
        target.fieldNames().forEachRemaining(field -> {
            if (!field.equals("kind") && !field.equals("name")) {
                throw new IllegalArgumentException(file + ": patch target '" + field + "' is not supported");
            }
        });
        JsonNode operations = Repo.yamlDocuments("ops: " + "\n" + indent(entry.path("patch").asText()))
                .get(0).path("ops");
        if (!operations.isArray()) {
            throw new IllegalArgumentException(file + ": only JSON 6902 patches (a list of operations) are supported");
        }
        List<ObjectNode> patched = new ArrayList<>();
        int matched = 0;
        for (ObjectNode resource : resources) {
            if ((kind == null || kind.equals(resource.path("kind").asText()))
                    && (name == null || name.equals(resource.path("metadata").path("name").asText()))) {
                patched.add((ObjectNode) JsonPatch.apply(operations, resource));
                matched++;
            } else {
                patched.add(resource);
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(file + ": patch target " + target + " matches no resource");
        }
        return patched;
    }

    private static String indent(String text) {
        return ("  " + text.replace("\n", "\n  "));
    }

    /** The pod spec of a workload (Deployment, StatefulSet, ...), if the resource has one. */
    static void podSpec(JsonNode resource, Consumer<ObjectNode> action) {
        JsonNode spec = resource.path("spec").path("template").path("spec");
        if (spec.isObject()) {
            action.accept((ObjectNode) spec);
        }
    }

    static void containers(JsonNode resource, Consumer<ObjectNode> action) {
        podSpec(resource, spec -> {
            for (String list : List.of("initContainers", "containers")) {
                spec.path(list).forEach(container -> action.accept((ObjectNode) container));
            }
        });
    }

    private static void setImage(ObjectNode container, JsonNode image) {
        String current = container.path("image").asText();
        int slash = current.lastIndexOf('/');
        int colon = current.indexOf(':', slash + 1);
        String repository = colon < 0 ? current : current.substring(0, colon);
        String tag = colon < 0 ? null : current.substring(colon + 1);
        if (!repository.equals(image.path("name").asText())) {
            return;
        }
        repository = image.path("newName").asText(repository);
        tag = image.path("newTag").asText(tag);
        container.put("image", tag == null ? repository : repository + ":" + tag);
    }

    private static void renameConfigMaps(ObjectNode spec, Map<String, String> renamed) {
        for (JsonNode volume : spec.path("volumes")) {
            rename(volume.path("configMap"), renamed);
            for (JsonNode source : volume.path("projected").path("sources")) {
                rename(source.path("configMap"), renamed);
            }
        }
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode container : spec.path(list)) {
                for (JsonNode env : container.path("env")) {
                    rename(env.path("valueFrom").path("configMapKeyRef"), renamed);
                }
                for (JsonNode envFrom : container.path("envFrom")) {
                    rename(envFrom.path("configMapRef"), renamed);
                }
            }
        }
    }

    private static void rename(JsonNode reference, Map<String, String> renamed) {
        if (reference.isObject() && renamed.containsKey(reference.path("name").asText())) {
            ((ObjectNode) reference).put("name", renamed.get(reference.path("name").asText()));
        }
    }
}
