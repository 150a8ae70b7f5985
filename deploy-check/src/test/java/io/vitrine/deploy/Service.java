package io.vitrine.deploy;

import io.vitrine.schemas.Topic;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What a service's code says about its deployment, read from its sources: the keys of its application.properties,
 * the keys of its {@code @ConfigMapping} interfaces, its HTTP port, and which configuration keys and environment
 * variables it can be given.
 *
 * <p>The rule for a configuration key in a mounted properties file: it is set in the service's
 * application.properties, or declared by its {@code @ConfigMapping}, or is {@code kafka.} followed by a Kafka
 * producer, consumer or admin setting, or {@code kafka-streams.} followed by a Kafka Streams setting (possibly with
 * one of Streams' client prefixes), or one of {@link #QUARKUS_KEYS}.
 *
 * <p>The rule for an environment variable is narrower, because of how Quarkus finds the variables: a variable
 * {@code KAFKA_X_Y} is handed to the Kafka clients as {@code x.y} (Quarkus' KafkaRuntimeConfigProducer lower-cases
 * it and turns {@code _} into {@code .}), so it must name a client setting; any other variable only reaches a key
 * that Quarkus looks up by name or already knows from a file, which is the environment form (every character other
 * than a letter or digit as {@code _}, upper case) of a key set in application.properties, declared by the
 * {@code @ConfigMapping}, in {@link #QUARKUS_KEYS}, or declared by Quarkus' Kafka Streams extension
 * ({@code quarkus.kafka-streams.*}: bootstrap servers, security protocol, SASL and SSL, read from the extension's own
 * configuration model). In particular {@code KAFKA_STREAMS_...} works only for Streams settings already present in
 * application.properties: the others go into a mounted properties file, or, for security, the
 * {@code QUARKUS_KAFKA_STREAMS_...} variables.
 * {@link #IMAGE_VARIABLES} are read by the container image's Java launcher, not by Quarkus.
 */
record Service(String name, int port, Map<String, String> properties, Set<String> mappedKeys, Set<String> mapPrefixes) {

    /** Quarkus settings the manifests may use beyond the services' own. */
    static final Set<String> QUARKUS_KEYS = Set.of("quarkus.config.locations", "quarkus.http.port", "quarkus.log.level",
            "quarkus.profile");

    /** The keys Quarkus' Kafka Streams extension declares, from the configuration model in its jar. */
    static final Set<String> KAFKA_STREAMS_EXTENSION_KEYS = kafkaStreamsExtensionKeys();

    /** Environment variables of the ubi9/openjdk-17-runtime image's launcher (run-java.sh). */
    static final Set<String> IMAGE_VARIABLES = Set.of("JAVA_MAX_MEM_RATIO", "JAVA_INITIAL_MEM_RATIO", "JAVA_OPTS_APPEND");

    private static final List<String> STREAMS_CLIENT_PREFIXES = List.of("", "main.consumer.", "consumer.",
            "restore.consumer.", "global.consumer.", "producer.", "admin.");

    static Service of(String name) {
        Path dir = Repo.root().resolve("services").resolve(name);
        Map<String, String> properties = new LinkedHashMap<>();
        Properties loaded = new Properties();
        try {
            loaded.load(new StringReader(Repo.read(dir.resolve("src/main/resources/application.properties"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loaded.stringPropertyNames().stream().filter(key -> !key.startsWith("%")).sorted()
                .forEach(key -> properties.put(key, loaded.getProperty(key)));
        Set<String> mapped = new HashSet<>();
        Set<String> mapPrefixes = new HashSet<>();
        for (Path source : javaSources(dir.resolve("src/main/java"))) {
            String text = Repo.read(source);
            Matcher mapping = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"\\)\\s*public interface (\\w+)")
                    .matcher(text);
            if (mapping.find()) {
                collect(text, mapping.group(2), mapping.group(1), mapped, mapPrefixes);
            }
        }
        if (mapped.isEmpty()) {
            throw new IllegalStateException(name + ": no @ConfigMapping found under " + dir);
        }
        return new Service(name, Integer.parseInt(properties.get("quarkus.http.port")), properties, mapped, mapPrefixes);
    }

    /** The value of a key of application.properties with ${...} expressions of that file resolved. */
    String resolved(String key) {
        String value = properties.get(key);
        Matcher expression = Pattern.compile("\\$\\{([^}:]+)(:[^}]*)?}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (expression.find()) {
            String inner = properties.containsKey(expression.group(1)) ? resolved(expression.group(1))
                    : expression.group(2) == null ? expression.group() : expression.group(2).substring(1);
            expression.appendReplacement(out, Matcher.quoteReplacement(inner));
        }
        expression.appendTail(out);
        return out.toString();
    }

    /** Whether the service runs a Kafka Streams application (its application.properties names an application id). */
    boolean runsKafkaStreams() {
        return properties.containsKey("quarkus.kafka-streams.application-id");
    }

    /** The registry topics its main sources name ({@code Topic.REWARDS}, ...): the topics its plain clients use. */
    Set<Topic> referencedTopics() {
        Set<Topic> topics = EnumSet.noneOf(Topic.class);
        Pattern reference = Pattern.compile("\\bTopic\\.([A-Z][A-Z_]*)\\b");
        for (Path source : javaSources(sources())) {
            Matcher m = reference.matcher(Repo.read(source));
            while (m.find()) {
                String constant = m.group(1);
                Arrays.stream(Topic.values()).filter(t -> t.name().equals(constant)).forEach(topics::add);
            }
        }
        return topics;
    }

    /** Whether its code or configuration gives a Kafka client a consumer group. */
    boolean usesConsumerGroup() {
        return setsClientSetting("GROUP_ID_CONFIG", "group.id");
    }

    /** Whether its code or configuration gives a Kafka producer a transactional id. */
    boolean usesTransactions() {
        return setsClientSetting("TRANSACTIONAL_ID_CONFIG", "transactional.id");
    }

    private boolean setsClientSetting(String constant, String key) {
        if (properties.containsKey("kafka." + key)) {
            return true;
        }
        Pattern put = Pattern.compile("put\\((\\w+Config\\." + constant + "|\"" + Pattern.quote(key) + "\")");
        return javaSources(sources()).stream().anyMatch(source -> put.matcher(Repo.read(source)).find());
    }

    private Path sources() {
        return Repo.root().resolve("services").resolve(name).resolve("src/main/java");
    }

    /**
     * What the learner puts between its application id and a version in the application id (and consumer group) of
     * an encoder version's application: {@code applicationId + "-v-" + version} in its sources.
     */
    static String learnerVersionInfix() {
        // RebuildProgress (services/common) names them for the learner and the trainer alike.
        Pattern infix = Pattern.compile("[aA]pplicationId \\+ \"([^\"]+)\" \\+ version\\.");
        List<Path> sources = new ArrayList<>(javaSources(Repo.root().resolve("services/learner/src/main/java")));
        sources.addAll(javaSources(Repo.root().resolve("services/common/src/main/java")));
        for (Path source : sources) {
            Matcher m = infix.matcher(Repo.read(source));
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("the learner's sources no longer name its version applications as "
                + "applicationId + \"...\" + version...: update Service.learnerVersionInfix");
    }

    /** Whether a key may appear in a properties file mounted into this service (class comment). */
    boolean acceptsKey(String key) {
        if (properties.containsKey(key) || mappedKeys.contains(key) || QUARKUS_KEYS.contains(key)
                || KAFKA_STREAMS_EXTENSION_KEYS.contains(key)) {
            return true;
        }
        if (mapPrefixes.stream().anyMatch(key::startsWith)) {
            return true;
        }
        if (key.startsWith("kafka-streams.")) {
            String setting = key.substring("kafka-streams.".length());
            return STREAMS_CLIENT_PREFIXES.stream().anyMatch(prefix -> setting.startsWith(prefix)
                    && (prefix.isEmpty() ? StreamsConfig.configDef().names().contains(setting)
                    || clientSettings().contains(setting) : clientSettings().contains(setting.substring(prefix.length()))));
        }
        return key.startsWith("kafka.") && clientSettings().contains(key.substring("kafka.".length()));
    }

    /** Whether an environment variable reaches a configuration key of this service (class comment). */
    boolean acceptsEnv(String variable) {
        if (IMAGE_VARIABLES.contains(variable)) {
            return true;
        }
        Set<String> named = new HashSet<>(properties.keySet());
        named.addAll(mappedKeys);
        named.addAll(QUARKUS_KEYS);
        named.addAll(KAFKA_STREAMS_EXTENSION_KEYS);
        if (named.stream().anyMatch(key -> envName(key).equals(variable))) {
            return true;
        }
        return variable.startsWith("KAFKA_") && !variable.startsWith("KAFKA_STREAMS_")
                && clientSettings().contains(variable.substring("KAFKA_".length()).toLowerCase(Locale.ROOT).replace('_', '.'));
    }

    private static Set<String> kafkaStreamsExtensionKeys() {
        Set<String> keys = new HashSet<>();
        try {
            var models = Service.class.getClassLoader().getResources("META-INF/quarkus-config-doc/quarkus-config-model.json");
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            while (models.hasMoreElements()) {
                try (var in = models.nextElement().openStream()) {
                    json.readTree(in).findValues("property").forEach(p -> {
                        if (p.isTextual() && p.asText().startsWith("quarkus.kafka-streams.")) {
                            keys.add(p.asText());
                        }
                    });
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("quarkus-kafka-streams' configuration model is not on the test class path");
        }
        return Set.copyOf(keys);
    }

    static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static Set<String> clientSettings() {
        Set<String> names = new HashSet<>(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return names;
    }

    private static List<Path> javaSources(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Keys of a {@code @ConfigMapping} interface: each method without parameters is a segment (kebab case of its
     * name); a method returning a nested interface of the file descends into it; one returning a Map is a prefix.
     */
    private static void collect(String source, String interfaceName, String prefix, Set<String> keys,
                                Set<String> mapPrefixes) {
        String body = body(source, interfaceName);
        Set<String> nested = new HashSet<>();
        Matcher interfaces = Pattern.compile("interface (\\w+)").matcher(source);
        while (interfaces.find()) {
            nested.add(interfaces.group(1));
        }
        Matcher method = Pattern.compile("(?m)^\\s*([\\w.]+(?:<[^;()]*>)?)\\s+(\\w+)\\(\\);").matcher(withoutNested(body));
        while (method.find()) {
            String type = method.group(1);
            String key = prefix + "." + method.group(2).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            if (nested.contains(type)) {
                collect(source, type, key, keys, mapPrefixes);
            } else if (type.startsWith("Map<")) {
                mapPrefixes.add(key + ".");
            } else {
                keys.add(key);
            }
        }
    }

    private static String body(String source, String interfaceName) {
        Matcher start = Pattern.compile("interface " + interfaceName + "\\b[^{]*\\{").matcher(source);
        if (!start.find()) {
            throw new IllegalArgumentException("interface " + interfaceName + " not found");
        }
        int depth = 1;
        for (int i = start.end(); i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return source.substring(start.end(), i);
            }
        }
        throw new IllegalArgumentException("interface " + interfaceName + " is not closed");
    }

    /** The body with the bodies of nested interfaces removed, so that their methods are not taken as this one's. */
    private static String withoutNested(String body) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : body.toCharArray()) {
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Names of the state stores the learner's topology declares (constants *_STORE of its streams package). */
    static List<String> learnerStores() {
        List<String> stores = new ArrayList<>();
        for (Path source : javaSources(Repo.root().resolve("services/learner/src/main/java"))) {
            Matcher store = Pattern.compile("static final String \\w+_STORE = \"([^\"]+)\";").matcher(Repo.read(source));
            while (store.find()) {
                stores.add(store.group(1));
            }
        }
        return stores;
    }
}
