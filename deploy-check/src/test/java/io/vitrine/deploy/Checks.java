package io.vitrine.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.schemas.Topic;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Agreement of rendered manifests with the code. Each check returns the problems it found (empty: none), so that the
 * tests can both require none for the real manifests and prove, on broken fixtures, that a mistake is found.
 */
final class Checks {

    static final String LIVE = "/q/health/live";
    static final String READY = "/q/health/ready";
    static final String METRICS = "/q/metrics";

    private Checks() {
    }

    /** Services that must run as exactly one instance: the trainer owns the sequence of encoder versions. */
    static final Set<String> SINGLETONS = Set.of("trainer");

    /**
     * Who reads the encoder lifecycle's topics, whether or not their code names them yet: the trainer reads the
     * versions it published and the serving choice, every selector loads the versions and follows the serving choice
     * (hot swap), the learner rebuilds the versions' posteriors and retires those that no longer serve.
     */
    static final Map<String, List<String>> LIFECYCLE_READERS = Map.of(
            "encoders", List.of("trainer", "selector", "learner"),
            "encoder-serving", List.of("trainer", "selector", "learner"));

    /**
     * Topics the registry says clients write, which a service also writes on their behalf: the selector's event API
     * ({@code POST /v1/events}) writes impressions and clicks for front ends without a Kafka producer.
     */
    static final Map<String, List<String>> CLIENT_TOPICS_WRITTEN_BY = Map.of(
            "selector", List.of("impressions", "clicks"));

    /** A topic the manifests must create: full name, partitions, cleanup policy. */
    record ExpectedTopic(String name, int partitions, boolean compacted) {
    }

    static Map<String, Service> services() {
        return Map.of("selector", Service.of("selector"), "learner", Service.of("learner"),
                "trainer", Service.of("trainer"));
    }

    /** Every registry topic. */
    static List<ExpectedTopic> expectedTopics(String prefix) {
        List<ExpectedTopic> expected = new ArrayList<>();
        for (Topic topic : Topic.values()) {
            expected.add(new ExpectedTopic(topic.name(prefix), topic.partitions(), topic.compacted()));
        }
        return expected;
    }

    /** Every expected topic has a KafkaTopic of the same name, partitions and cleanup policy; no other exists. */
    static List<String> topics(List<ObjectNode> manifests, String prefix) {
        List<String> problems = new ArrayList<>();
        List<JsonNode> kafkaTopics = manifests.stream().filter(m -> m.path("kind").asText().equals("KafkaTopic"))
                .map(JsonNode.class::cast).toList();
        List<ExpectedTopic> expected = expectedTopics(prefix);
        for (ExpectedTopic topic : expected) {
            String name = topic.name();
            Optional<JsonNode> found = kafkaTopics.stream().filter(t -> topicName(t).equals(name)).findFirst();
            if (found.isEmpty()) {
                problems.add("topic " + name + ": no KafkaTopic");
                continue;
            }
            JsonNode spec = found.get().path("spec");
            if (spec.path("partitions").asInt() != topic.partitions()) {
                problems.add("topic " + name + ": " + spec.path("partitions").asInt() + " partitions, the registry says "
                        + topic.partitions());
            }
            String cleanup = spec.path("config").path("cleanup.policy").asText("delete");
            if (!cleanup.equals(topic.compacted() ? "compact" : "delete")) {
                problems.add("topic " + name + ": cleanup.policy " + cleanup + ", the registry says "
                        + (topic.compacted() ? "compact" : "delete"));
            }
        }
        for (JsonNode kafkaTopic : kafkaTopics) {
            String name = topicName(kafkaTopic);
            if (expected.stream().noneMatch(t -> t.name().equals(name))) {
                problems.add("KafkaTopic " + name + ": not a topic of the registry (Topic.java)");
            }
        }
        return problems;
    }

    private static String topicName(JsonNode kafkaTopic) {
        return kafkaTopic.path("spec").path("topicName").asText(kafkaTopic.path("metadata").path("name").asText());
    }

    /** An operation the Kafka user of a service must be allowed on a resource. */
    record Need(String service, String type, String name, String operation) {
    }

    /**
     * What each service's code does with Kafka: write the topics the registry names it the writer of (and the
     * dead-letter topic, written by "every service", where it has a handler for it: Kafka Streams, or a reference
     * in the code), read the topics its Kafka Streams application subscribes to or its code names, and, for a Kafka
     * Streams application, use its application.id as a prefix for internal topics (the learner's changelogs, one per
     * state store), consumer group and, under exactly_once_v2, transactional ids. The lifecycle's topics are read by the
     * {@link #LIFECYCLE_READERS}. The trainer follows each encoder version's rebuild through the committed offsets
     * of the learner's version applications, and writes under its two transactional ids.
     */
    static List<Need> needs(Map<String, Service> services, String prefix) {
        List<Need> needs = new ArrayList<>();
        for (Service service : services.values()) {
            String name = service.name();
            boolean streams = service.runsKafkaStreams();
            List<String> subscribed = streams
                    ? List.of(service.resolved("quarkus.kafka-streams.topics").split(",")) : List.of();
            Set<Topic> referenced = service.referencedTopics();
            for (Topic topic : Topic.values()) {
                String topicName = topic.name(prefix);
                boolean everyService = topic.writer().equals("every service");
                boolean onClientsBehalf = CLIENT_TOPICS_WRITTEN_BY.getOrDefault(name, List.of())
                        .contains(topic.baseName());
                if (topic.writer().equals(name) || everyService && (streams || referenced.contains(topic))
                        || onClientsBehalf) {
                    needs.add(new Need(name, "topic", topicName, "Write"));
                } else if (subscribed.contains(topicName) || referenced.contains(topic)) {
                    needs.add(new Need(name, "topic", topicName, "Read"));
                }
            }
            LIFECYCLE_READERS.forEach((topic, readers) -> {
                if (readers.contains(name)) {
                    needs.add(new Need(name, "topic", prefix + topic, "Read"));
                }
            });
            if (streams) {
                String applicationId = service.resolved("quarkus.kafka-streams.application-id");
                needs.add(new Need(name, "group", applicationId, "Read"));
                needs.add(new Need(name, "topic", applicationId + "-any-changelog", "Create"));
                if (name.equals("learner")) {
                    for (String store : Service.learnerStores()) {
                        String changelog = applicationId + "-" + store + "-changelog";
                        for (String operation : List.of("Create", "Read", "Write", "Describe")) {
                            needs.add(new Need(name, "topic", changelog, operation));
                        }
                    }
                }
                if ("exactly_once_v2".equals(service.properties().get("kafka-streams.processing.guarantee"))) {
                    needs.add(new Need(name, "transactionalId", applicationId + "-process-0", "Write"));
                }
            }
            if (name.equals("trainer")) {
                Service learner = Service.of("learner");
                needs.add(new Need(name, "group", learner.resolved("quarkus.kafka-streams.application-id")
                        + Service.learnerVersionInfix() + "any-version", "Describe"));
                // One writer at a time: its versions and promotions go out in transactions under fixed ids.
                String transactionalId = service.resolved("vitrine.trainer.transactional-id");
                needs.add(new Need(name, "transactionalId", transactionalId + "-encoders", "Write"));
                needs.add(new Need(name, "transactionalId", transactionalId + "-serving", "Write"));
            }
        }
        return needs;
    }

    /**
     * The KafkaUser of each service allows every {@link #needs need}; a service that neither runs Kafka Streams nor
     * sets a consumer group or transactional id in its code is allowed no more than Describe on groups and nothing
     * on transactional ids.
     */
    static List<String> acls(List<ObjectNode> manifests, Map<String, Service> services, String prefix) {
        List<String> problems = new ArrayList<>();
        List<Need> needs = needs(services, prefix);
        for (Service service : services.values()) {
            String userName = "vitrine-" + service.name();
            Optional<ObjectNode> user = manifests.stream().filter(m -> m.path("kind").asText().equals("KafkaUser")
                    && m.path("metadata").path("name").asText().equals(userName)).findFirst();
            if (user.isEmpty()) {
                problems.add("KafkaUser " + userName + " is missing");
                continue;
            }
            JsonNode acls = user.get().path("spec").path("authorization").path("acls");
            for (Need need : needs) {
                if (need.service().equals(service.name())) {
                    require(problems, userName, acls, need.type(), need.name(), need.operation());
                }
            }
            if (!service.runsKafkaStreams()) {
                for (JsonNode acl : acls) {
                    String type = acl.path("resource").path("type").asText();
                    String resource = type + " " + acl.path("resource").path("name").asText();
                    for (JsonNode op : acl.path("operations")) {
                        if (type.equals("group") && !op.asText().equals("Describe") && !service.usesConsumerGroup()) {
                            problems.add("KafkaUser " + userName + ": allows " + op.asText() + " on " + resource
                                    + ", but the " + service.name() + " joins no consumer group");
                        }
                        if (type.equals("transactionalId") && !service.usesTransactions()) {
                            problems.add("KafkaUser " + userName + ": allows " + op.asText() + " on " + resource
                                    + ", but the " + service.name() + " uses no transactions");
                        }
                    }
                }
            }
        }
        return problems;
    }

    private static void require(List<String> problems, String user, JsonNode acls, String type, String name,
                                String operation) {
        for (JsonNode acl : acls) {
            JsonNode resource = acl.path("resource");
            boolean prefix = resource.path("patternType").asText("literal").equals("prefix");
            String aclName = resource.path("name").asText();
            boolean matches = resource.path("type").asText().equals(type)
                    && (prefix ? name.startsWith(aclName) : name.equals(aclName));
            boolean allows = acl.path("type").asText("allow").equals("allow");
            for (JsonNode op : acl.path("operations")) {
                if (matches && allows && (op.asText().equals(operation) || op.asText().equals("All"))) {
                    return;
                }
            }
        }
        problems.add("KafkaUser " + user + ": no ACL allows " + operation + " on " + type + " " + name);
    }

    /**
     * Containers of the services: image vitrine/NAME:VERSION, the HTTP port of application.properties, probes on the
     * SmallRye Health paths, environment variables and mounted properties that reach real configuration keys.
     */
    static List<String> workloads(List<ObjectNode> manifests, Map<String, Service> services, String version) {
        List<String> problems = new ArrayList<>();
        int seen = 0;
        for (ObjectNode manifest : manifests) {
            String where = manifest.path("kind").asText() + "/" + manifest.path("metadata").path("name").asText();
            List<ObjectNode> containers = new ArrayList<>();
            Kustomize.containers(manifest, containers::add);
            for (ObjectNode container : containers) {
                Service service = services.get(container.path("name").asText());
                if (service == null) {
                    continue;
                }
                seen++;
                String at = where + " container " + service.name();
                problems.addAll(image(at, container.path("image").asText(), service.name(), version));
                JsonNode http = null;
                for (JsonNode port : container.path("ports")) {
                    if (port.path("name").asText().equals("http")) {
                        http = port;
                    }
                }
                if (http == null || http.path("containerPort").asInt() != service.port()) {
                    problems.add(at + ": port 'http' must be " + service.port() + " (quarkus.http.port), is "
                            + (http == null ? "missing" : http.path("containerPort").asText()));
                }
                probe(problems, at, container, "livenessProbe", LIVE);
                probe(problems, at, container, "readinessProbe", READY);
                if (container.has("startupProbe")) {
                    probe(problems, at, container, "startupProbe", LIVE);
                }
                for (JsonNode env : container.path("env")) {
                    if (!service.acceptsEnv(env.path("name").asText())) {
                        problems.add(at + ": environment variable " + env.path("name").asText()
                                + " maps to no configuration key of the " + service.name());
                    }
                }
                problems.addAll(mountedProperties(at, manifests, manifest, service));
            }
        }
        if (seen < services.size()) {
            problems.add("found " + seen + " service containers, expected one per service: " + services.keySet());
        }
        return problems;
    }

    static List<String> image(String at, String image, String service, String version) {
        String expected = "vitrine/" + service + ":" + version;
        return image.equals(expected) || image.endsWith("/" + expected) ? List.of()
                : List.of(at + ": image " + image + ", expected " + expected + " (the project version)");
    }

    private static void probe(List<String> problems, String at, JsonNode container, String probe, String path) {
        JsonNode get = container.path(probe).path("httpGet");
        if (!get.path("path").asText().equals(path)) {
            problems.add(at + ": " + probe + " must be an HTTP GET of " + path + ", is " + container.path(probe));
        }
        String port = get.path("port").asText();
        boolean known = false;
        for (JsonNode p : container.path("ports")) {
            known |= p.path("name").asText().equals(port) || p.path("containerPort").asText().equals(port);
        }
        if (!known) {
            problems.add(at + ": " + probe + " port " + port + " is not a port of the container");
        }
    }

    /** Keys of the *.properties files of ConfigMaps the pod mounts (read through QUARKUS_CONFIG_LOCATIONS). */
    private static List<String> mountedProperties(String at, List<ObjectNode> manifests, JsonNode workload,
                                                  Service service) {
        List<String> problems = new ArrayList<>();
        // ConfigMap name -> the keys the pod mounts of it (null: every key; a volume with items mounts only those).
        Map<String, Set<String>> mounted = new java.util.HashMap<>();
        for (JsonNode volume : workload.path("spec").path("template").path("spec").path("volumes")) {
            List<JsonNode> references = new ArrayList<>();
            references.add(volume.path("configMap"));
            volume.path("projected").path("sources").forEach(s -> references.add(s.path("configMap")));
            for (JsonNode reference : references) {
                if (!reference.isObject()) {
                    continue;
                }
                String name = reference.path("name").asText();
                Set<String> keys = null;
                if (reference.has("items")) {
                    keys = new java.util.HashSet<>();
                    for (JsonNode item : reference.path("items")) {
                        keys.add(item.path("key").asText());
                    }
                }
                if (!mounted.containsKey(name) || keys == null) {
                    mounted.put(name, keys);
                } else if (mounted.get(name) != null) {
                    mounted.get(name).addAll(keys);
                }
                boolean exists = manifests.stream().anyMatch(m -> m.path("kind").asText().equals("ConfigMap")
                        && m.path("metadata").path("name").asText().equals(name));
                if (!exists && !reference.path("optional").asBoolean(false)) {
                    problems.add(at + ": volume " + volume.path("name").asText() + " mounts ConfigMap " + name
                            + ", which is not among the manifests");
                }
            }
        }
        for (ObjectNode manifest : manifests) {
            String name = manifest.path("metadata").path("name").asText();
            if (!manifest.path("kind").asText().equals("ConfigMap") || !mounted.containsKey(name)) {
                continue;
            }
            Set<String> keys = mounted.get(name);
            manifest.path("data").fields().forEachRemaining(file -> {
                if (!file.getKey().endsWith(".properties") || keys != null && !keys.contains(file.getKey())) {
                    return;
                }
                Properties properties = new Properties();
                try {
                    properties.load(new StringReader(file.getValue().asText()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                for (String key : properties.stringPropertyNames()) {
                    if (!service.acceptsKey(key)) {
                        problems.add(at + ": " + file.getKey() + " sets " + key
                                + ", which is no configuration key of the " + service.name());
                    }
                }
            });
        }
        return problems;
    }

    /** Services target a named container port; the ServiceMonitor scrapes /q/metrics on a port those services have. */
    static List<String> servicesAndMonitor(List<ObjectNode> manifests, Set<String> services) {
        List<String> problems = new ArrayList<>();
        List<ObjectNode> monitors = manifests.stream()
                .filter(m -> m.path("kind").asText().equals("ServiceMonitor")).toList();
        if (monitors.isEmpty()) {
            problems.add("no ServiceMonitor");
        }
        for (ObjectNode monitor : monitors) {
            JsonNode labels = monitor.path("spec").path("selector").path("matchLabels");
            List<ObjectNode> scraped = manifests.stream().filter(m -> m.path("kind").asText().equals("Service"))
                    .filter(s -> matches(labels, s.path("metadata").path("labels"))).toList();
            Set<String> scrapedApps = new java.util.TreeSet<>();
            scraped.forEach(s -> scrapedApps.add(s.path("spec").path("selector").path("app.kubernetes.io/name").asText()));
            if (!scrapedApps.equals(new java.util.TreeSet<>(services))) {
                problems.add("ServiceMonitor selects the Services of " + scrapedApps + ", expected "
                        + new java.util.TreeSet<>(services));
            }
            for (JsonNode endpoint : monitor.path("spec").path("endpoints")) {
                if (!endpoint.path("path").asText().equals(METRICS)) {
                    problems.add("ServiceMonitor endpoint path " + endpoint.path("path").asText() + ", expected " + METRICS);
                }
                for (ObjectNode service : scraped) {
                    boolean has = false;
                    for (JsonNode port : service.path("spec").path("ports")) {
                        has |= port.path("name").asText().equals(endpoint.path("port").asText());
                    }
                    if (!has) {
                        problems.add("ServiceMonitor port " + endpoint.path("port").asText() + " is not a port of Service "
                                + service.path("metadata").path("name").asText());
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Each of the {@link #SINGLETONS} runs as a Deployment of one replica that a rollout stops before it starts the
     * new pod (strategy Recreate: a rolling update would run two for a while), and no autoscaler scales it.
     */
    static List<String> singletons(List<ObjectNode> manifests) {
        List<String> problems = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(SINGLETONS)) {
            List<ObjectNode> workloads = manifests.stream().filter(m -> m.path("metadata").path("name").asText()
                    .equals(name) && Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
                    .contains(m.path("kind").asText())).toList();
            if (workloads.size() != 1 || !workloads.get(0).path("kind").asText().equals("Deployment")) {
                problems.add(name + ": expected one Deployment, found "
                        + workloads.stream().map(w -> w.path("kind").asText()).toList());
                continue;
            }
            JsonNode spec = workloads.get(0).path("spec");
            if (spec.path("replicas").asInt(1) != 1) {
                problems.add("Deployment/" + name + ": " + spec.path("replicas").asInt() + " replicas, it must run alone");
            }
            String strategy = spec.path("strategy").path("type").asText("RollingUpdate");
            if (!strategy.equals("Recreate")) {
                problems.add("Deployment/" + name + ": strategy " + strategy
                        + ", expected Recreate (a rolling update runs the old and the new pod together)");
            }
            for (ObjectNode hpa : manifests) {
                if (hpa.path("kind").asText().equals("HorizontalPodAutoscaler")
                        && hpa.path("spec").path("scaleTargetRef").path("name").asText().equals(name)) {
                    problems.add("HorizontalPodAutoscaler/" + hpa.path("metadata").path("name").asText() + " scales "
                            + name + ", which must run alone");
                }
            }
        }
        return problems;
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        var it = selector.fields();
        while (it.hasNext()) {
            var entry = it.next();
            if (!entry.getValue().asText().equals(labels.path(entry.getKey()).asText(null))) {
                return false;
            }
        }
        return true;
    }
}
