package io.vitrine.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A <b>stub</b> of a schema registry's HTTP API, not a registry: the few endpoints that Confluent's serializers
 * (Confluent-compatible API, {@value #CONFLUENT_PATH}) and Apicurio's serdes ({@value #APICURIO_PATH}) call to
 * register and fetch Avro schemas, over one in-memory store, as Apicurio Registry 3 serves both APIs: a Confluent
 * subject is an artifact of the group {@code default}, and the id in a record's header is the schema content's id
 * in both APIs.
 *
 * <p>Written by hand because no schema registry can be run on a machine without Docker from Maven Central, Debian
 * or npm: Apicurio Registry's app ({@code io.apicurio:apicurio-registry-app} 2.6.13.Final, 3.3.2, 3.3.3) depends on
 * {@code apicurio-registry-schema-util-provider}, which Central does not serve for those versions, and 3.0.9's parent
 * POM is missing; Confluent's registry and mocks are not on Central; Debian and npm package only clients.
 *
 * <p>Compatibility is checked as a registry does for Avro with the level {@code BACKWARD} (its default in both
 * registries): a new version must be able to read data written with the latest one, decided by Avro's own
 * {@link SchemaCompatibility}. Every request is recorded ({@link #requests()}), and one this stub does not know is
 * answered 404 naming it, so a test sees which endpoint a client needed.
 */
final class RegistryApiStub implements AutoCloseable {

    static final String CONFLUENT_PATH = "/apis/ccompat/v7";
    static final String APICURIO_PATH = "/apis/registry/v3";
    private static final String DEFAULT_GROUP = "default";
    /** Starts the request log's entry of a call this stub does not know. */
    static final String UNKNOWN = "unknown endpoint: ";
    /** Starts the request log's entry of a call this stub failed on. */
    static final String FAILED = "failed: ";

    private static final Pattern SUBJECT_VERSIONS = Pattern.compile(CONFLUENT_PATH + "/subjects/([^/]+)/versions");
    private static final Pattern SUBJECT = Pattern.compile(CONFLUENT_PATH + "/subjects/([^/]+)");
    private static final Pattern COMPATIBILITY = Pattern.compile(
            CONFLUENT_PATH + "/compatibility/subjects/([^/]+)/versions/latest");
    private static final Pattern SCHEMA_BY_ID = Pattern.compile(CONFLUENT_PATH + "/schemas/ids/(\\d+)");
    private static final Pattern CONTENT_BY_ID = Pattern.compile(APICURIO_PATH + "/ids/contentIds/(\\d+)");
    private static final Pattern REFERENCES_BY_ID = Pattern.compile(APICURIO_PATH + "/ids/contentIds/(\\d+)/references");
    private static final Pattern CREATE_ARTIFACT = Pattern.compile(APICURIO_PATH + "/groups/([^/]+)/artifacts");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A registered schema version: its content id (the id in records' headers) and its version within the subject. */
    private record Version(int contentId, int version, long globalId) {
    }

    private final HttpServer server;
    // Guarded by this: the registry's state and the request log.
    private final List<String> contents = new ArrayList<>();
    private final Map<String, List<Version>> subjects = new LinkedHashMap<>();
    private final List<String> requests = new ArrayList<>();
    private long nextGlobalId = 1;

    private RegistryApiStub(HttpServer server) {
        this.server = server;
    }

    /** Starts the stub on a free port of the loopback address. */
    static RegistryApiStub start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        RegistryApiStub stub = new RegistryApiStub(server);
        server.createContext("/", stub::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return stub;
    }

    /** Base URL of the Confluent-compatible API ({@code schema.registry.url} of Confluent's clients). */
    URI confluentUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + CONFLUENT_PATH);
    }

    /** Base URL of the Apicurio API ({@code vitrine.schema-registry.url}). */
    URI apicurioUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + APICURIO_PATH);
    }

    /** Method and path of every request so far, in order, each followed by a note if it was unknown or failed. */
    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    /** The ids (content ids) of the versions registered under {@code subject}, oldest first. */
    synchronized List<Integer> ids(String subject) {
        return subjects.getOrDefault(subject, List.of()).stream().map(Version::contentId).toList();
    }

    /** The versions registered under {@code subject}, oldest first, as their schemas' texts. */
    synchronized List<String> schemas(String subject) {
        return subjects.getOrDefault(subject, List.of()).stream().map(v -> contents.get(v.contentId() - 1)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            Answer answer;
            synchronized (this) {
                requests.add(method + " " + path);
                try {
                    answer = answer(method, path, body);
                } catch (IOException | RuntimeException e) {
                    answer = Answer.error(500, 500, "this registry stub failed on " + method + " " + path + ": " + e);
                    requests.add(FAILED + answer.body());
                }
            }
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        }
    }

    private record Answer(int status, String contentType, String body) {
        static Answer json(int status, Object value) {
            try {
                return new Answer(status, "application/json", JSON.writeValueAsString(value));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer error(int status, int code, String message) {
            return json(status, Map.of("error_code", code, "message", message));
        }
    }

    private Answer answer(String method, String path, byte[] body) throws IOException {
        Matcher m;
        if (method.equals("POST") && (m = SUBJECT_VERSIONS.matcher(path)).matches()) {
            return register(m.group(1), JSON.readTree(body).path("schema").asText(), List.of());
        }
        if (method.equals("GET") && (m = SUBJECT_VERSIONS.matcher(path)).matches()) {
            List<Version> versions = subjects.get(m.group(1));
            return versions == null ? Answer.error(404, 40401, "Subject '" + m.group(1) + "' not found.")
                    : Answer.json(200, versions.stream().map(Version::version).toList());
        }
        if (method.equals("POST") && (m = SUBJECT.matcher(path)).matches()) {
            return lookup(m.group(1), JSON.readTree(body).path("schema").asText());
        }
        if (method.equals("POST") && (m = COMPATIBILITY.matcher(path)).matches()) {
            String problem = incompatibility(m.group(1),
                    new Schema.Parser().parse(JSON.readTree(body).path("schema").asText()));
            return Answer.json(200, problem == null ? Map.of("is_compatible", true)
                    : Map.of("is_compatible", false, "messages", List.of(problem)));
        }
        if (method.equals("GET") && (m = SCHEMA_BY_ID.matcher(path)).matches()) {
            int id = Integer.parseInt(m.group(1));
            return id < 1 || id > contents.size() ? Answer.error(404, 40403, "Schema " + id + " not found")
                    : Answer.json(200, Map.of("schema", contents.get(id - 1)));
        }
        if (method.equals("GET") && (m = REFERENCES_BY_ID.matcher(path)).matches()) {
            return Answer.json(200, List.of()); // every version is kept self-contained
        }
        if (method.equals("GET") && (m = CONTENT_BY_ID.matcher(path)).matches()) {
            int id = Integer.parseInt(m.group(1));
            return id < 1 || id > contents.size() ? Answer.error(404, 40403, "No content with id " + id)
                    : new Answer(200, "application/json", contents.get(id - 1));
        }
        if (method.equals("POST") && (m = CREATE_ARTIFACT.matcher(path)).matches()) {
            return createArtifact(m.group(1), JSON.readTree(body));
        }
        requests.add(UNKNOWN + method + " " + path);
        return Answer.error(404, 404, "this registry stub has no endpoint " + method + " " + path);
    }

    /**
     * Registers {@code schema} under {@code subject}, its named types resolved from the versions that
     * {@code references} name (Apicurio's serializer registers nested records as artifacts of their own). Each version
     * is kept self-contained, its referenced types written out, so readers need no references.
     */
    private Answer register(String subject, String schema, List<JsonNode> references) {
        String canonical;
        try {
            canonical = parse(schema, references).toString();
        } catch (SchemaParseException | IllegalArgumentException e) {
            return Answer.error(422, 42201, "Invalid schema: " + e.getMessage());
        }
        List<Version> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        for (Version v : versions) {
            if (contents.get(v.contentId() - 1).equals(canonical)) {
                return Answer.json(200, Map.of("id", v.contentId()));
            }
        }
        String problem = incompatibility(subject, new Schema.Parser().parse(canonical));
        if (problem != null) {
            return Answer.error(409, 409, "Schema being registered is incompatible with an earlier schema for subject \""
                    + subject + "\": " + problem);
        }
        int contentId = contents.indexOf(canonical) + 1;
        if (contentId == 0) {
            contents.add(canonical);
            contentId = contents.size();
        }
        versions.add(new Version(contentId, versions.size() + 1, nextGlobalId++));
        return Answer.json(200, Map.of("id", contentId));
    }

    private Schema parse(String schema, List<JsonNode> references) {
        List<Schema> referenced = new ArrayList<>();
        for (JsonNode reference : references) {
            String artifactId = reference.path("artifactId").asText();
            int version = Integer.parseInt(reference.path("version").asText("0"));
            Version found = subjects.getOrDefault(artifactId, List.of()).stream()
                    .filter(v -> v.version() == version).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no version " + version + " of " + artifactId));
            referenced.add(new Schema.Parser().parse(contents.get(found.contentId() - 1)));
        }
        return new Schema.Parser().addTypes(referenced).parse(schema);
    }

    private Answer lookup(String subject, String schema) {
        String canonical = new Schema.Parser().parse(schema).toString();
        for (Version v : subjects.getOrDefault(subject, List.of())) {
            if (contents.get(v.contentId() - 1).equals(canonical)) {
                return Answer.json(200, Map.of("subject", subject, "version", v.version(), "id", v.contentId(),
                        "schema", canonical));
            }
        }
        return Answer.error(404, 40403, "Schema not found under subject " + subject);
    }

    /** Why {@code reader} cannot read what the subject's latest version wrote, or null if it can (BACKWARD). */
    private String incompatibility(String subject, Schema reader) {
        List<Version> versions = subjects.getOrDefault(subject, List.of());
        if (versions.isEmpty()) {
            return null;
        }
        Schema latest = new Schema.Parser().parse(contents.get(versions.get(versions.size() - 1).contentId() - 1));
        SchemaCompatibility.SchemaPairCompatibility result =
                SchemaCompatibility.checkReaderWriterCompatibility(reader, latest);
        if (result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return null;
        }
        return result.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage()).toList().toString();
    }

    /** Apicurio's create-artifact call with {@code ifExists=FIND_OR_CREATE_VERSION}, as its serializer makes it. */
    private Answer createArtifact(String group, JsonNode request) {
        String artifactId = request.path("artifactId").asText();
        String content = request.path("firstVersion").path("content").path("content").asText();
        if (!DEFAULT_GROUP.equals(group)) {
            return Answer.error(400, 400, "this registry stub keeps only the group '" + DEFAULT_GROUP + "', not " + group);
        }
        List<JsonNode> references = new ArrayList<>();
        request.path("firstVersion").path("content").path("references").forEach(references::add);
        Answer registered = register(artifactId, content, references);
        if (registered.status() != 200) {
            return registered;
        }
        String canonical = parse(content, references).toString();
        Version version = subjects.get(artifactId).stream()
                .filter(v -> contents.get(v.contentId() - 1).equals(canonical)).findFirst().orElseThrow();
        ObjectNode artifact = JSON.createObjectNode().put("groupId", group).put("artifactId", artifactId)
                .put("artifactType", "AVRO").put("createdOn", Instant.EPOCH.toString());
        ObjectNode meta = JSON.createObjectNode().put("groupId", group).put("artifactId", artifactId)
                .put("version", Integer.toString(version.version())).put("artifactType", "AVRO")
                .put("globalId", version.globalId()).put("contentId", version.contentId()).put("state", "ENABLED")
                .put("createdOn", Instant.EPOCH.toString());
        ObjectNode answer = JSON.createObjectNode();
        answer.set("artifact", artifact);
        answer.set("version", meta);
        return Answer.json(200, answer);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
