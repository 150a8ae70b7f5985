package io.vitrine.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where things are (the repository, the unpacked schema packages) and how YAML and JSON are read. */
final class Repo {

    static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private Repo() {
    }

    /** The repository root (set by the build; the module's parent when run from an IDE). */
    static Path root() {
        return Path.of(System.getProperty("vitrine.root", "..")).toAbsolutePath().normalize();
    }

    /** The project version of pom.xml, passed by the build as a system property. */
    static String version() {
        String version = System.getProperty("vitrine.version");
        if (version == null || version.isBlank()) {
            throw new IllegalStateException("system property vitrine.version is not set (run through Maven)");
        }
        return version;
    }

    /** Where the build unpacked the Strimzi CRDs and the npm schema packages. */
    static Path schemas() {
        return Path.of(System.getProperty("vitrine.schemas", "target/schemas")).toAbsolutePath().normalize();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every non-empty document of a YAML stream, as objects. */
    static List<ObjectNode> yamlDocuments(String text) {
        List<ObjectNode> documents = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode node = it.next();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (!node.isObject()) {
                    throw new IllegalArgumentException("a YAML document is not a mapping: " + node);
                }
                documents.add((ObjectNode) node);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    static ObjectNode yamlFile(Path file) {
        List<ObjectNode> documents = yamlDocuments(read(file));
        if (documents.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one YAML document, found " + documents.size());
        }
        return documents.get(0);
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
