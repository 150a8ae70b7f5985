package io.vitrine.benchmarks.growth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vitrine.avro.PosteriorSnapshot;
import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import io.vitrine.kafka.LocalKafka;
import io.vitrine.kafka.LocalKafkaConfig;
import io.vitrine.schemas.AvroSerdes;
import io.vitrine.schemas.Scopes;
import io.vitrine.schemas.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the learner and the selector cost as the number of scopes grows. For each number of scopes N: a broker in
 * this JVM, the packaged learner as a process, one reward for each of N scopes (plus a tenth more to the first
 * scopes), then
 * <ul>
 *   <li>the learner's state directory on disk (after a clean stop, so that RocksDB has flushed) and the size of its
 *   statistics changelog topic;</li>
 *   <li>the posteriors topic: bytes per snapshot, and the most bytes published within one second (one publish
 *   interval);</li>
 *   <li>restore: the time a learner takes to be ready on an empty state directory (all of the changelog to read),
 *   against the same learner restarted on its own, full state directory (nothing to read), each counted from the
 *   learner's first HTTP answer (so without the JVM's and Quarkus' boot, which on a loaded machine varies by tens
 *   of seconds); the difference is the restore;</li>
 *   <li>a selector's heap after it loaded every scope's posterior, after a full GC ({@code jcmd GC.heap_info}).</li>
 * </ul>
 * Results go to a JSON file after each N, so that a run cut short keeps what it measured.
 */
@Command(name = "scope-growth", mixinStandardHelpOptions = true,
        description = "Learner state, restore time, posteriors bandwidth and selector heap against the number of scopes.")
public final class ScopeGrowth implements Callable<Integer> {

    private static final String PREFIX = "growth.";
    private static final String CHANGELOG = PREFIX + "learner-posterior-statistics-changelog";
    private static final Pattern HEAP_USED = Pattern.compile("total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

    @Option(names = "--scopes", split = ",", defaultValue = "1000,10000,100000",
            description = "numbers of scopes, one run each (default: ${DEFAULT-VALUE})")
    List<Integer> scopeCounts;

    @Option(names = "--dimension", defaultValue = "32", description = "d of the rewards' embeddings (default: ${DEFAULT-VALUE})")
    int dimension;

    @Option(names = "--home", defaultValue = ".", description = "the project's root, where services/*/target are")
    Path home;

    @Option(names = "--work", defaultValue = "target/scope-growth", description = "state, broker data and logs")
    Path work;

    @Option(names = "--port", defaultValue = "20900",
            description = "broker port; the controller, selector and learners take the next four (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--selector-heap", defaultValue = "3g", description = "the selector's -Xmx (default: ${DEFAULT-VALUE})")
    String selectorHeap;

    @Option(names = "--learner-heap", defaultValue = "768m", description = "the learner's -Xmx (default: ${DEFAULT-VALUE})")
    String learnerHeap;

    @Option(names = "--learner-option", paramLabel = "OPT",
            description = "a JVM option or -Dkey=value of the first learner (the one that learns the rewards), "
                    + "repeatable (e.g. -XX:StartFlightRecording=filename=learner.jfr)")
    List<String> learnerExtraOptions = new ArrayList<>();

    @Option(names = "--rewards", description = "rewards to write, round robin over the scopes (default: one for each "
            + "scope and one more for each of the first tenth); e.g. many rewards on few scopes, to compare the "
            + "learner's rate with rewards that each reach a new scope")
    Optional<Long> rewardCount;

    @Option(names = "--learn-only", description = "only the learning: write the rewards, wait for their posteriors, "
            + "print the time it took and stop the learner (no restarts, no selector, nothing written to --out)")
    boolean learnOnly;

    @Option(names = "--out", defaultValue = "target/scope-growth.json", description = "results, rewritten after each run")
    Path out;

    @Option(names = "--plot", description = "where to write the plot of all the results in --out")
    Path plot;

    @Option(names = "--timeout", defaultValue = "PT20M", description = "longest wait for each step (default: ${DEFAULT-VALUE})")
    Duration timeout;

    /** One run's measurements; sizes in bytes, times in seconds. */
    public record Run(int scopes, int dimension, long rewards, double writeSeconds, double learnSeconds,
                      long learnerStateBytes, long changelogBytes, long posteriorsTopicBytes, long snapshots,
                      double bytesPerSnapshot, long peakPublishBytesPerSecond, long peakPublishSnapshotsPerSecond,
                      double learnerWarmStartSeconds, double learnerRestoreStartSeconds, double restoreSeconds,
                      long recordsRestored, double selectorReadySeconds, double selectorReadyAfterBootSeconds,
                      long selectorHeapUsedBytes, String at) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScopeGrowth()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<Run> runs = new ArrayList<>(readRuns(out));
        for (int scopes : scopeCounts) {
            System.out.printf("%n== %,d scopes, d = %d ==%n", scopes, dimension);
            Optional<Run> measured = measure(scopes);
            if (measured.isEmpty()) {
                continue;
            }
            Run run = measured.get();
            runs.removeIf(r -> r.scopes() == run.scopes() && r.dimension() == run.dimension());
            runs.add(run);
            runs.sort(Comparator.comparingInt(Run::dimension).thenComparingInt(Run::scopes));
            writeRuns(out, runs);
            System.out.printf("state %s, changelog %s, %,.0f B per snapshot, peak %s published in 1 s, ready after "
                            + "HTTP up %.1f s on an empty state dir and %.1f s on its own, selector heap %s%n",
                    mb(run.learnerStateBytes()), mb(run.changelogBytes()), run.bytesPerSnapshot(),
                    mb(run.peakPublishBytesPerSecond()), run.learnerRestoreStartSeconds(),
                    run.learnerWarmStartSeconds(), mb(run.selectorHeapUsedBytes()));
        }
        if (plot != null) {
            ScopeGrowthPlot.write(runs, plot);
            System.out.println("plot written to " + plot);
        }
        System.out.println("results in " + out);
        return 0;
    }

    /** Empty with {@code --learn-only}. */
    private Optional<Run> measure(int scopes) throws Exception {
        Path dir = work.resolve("n" + scopes + "-d" + dimension).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        Path learnerJar = home.resolve("services/learner/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        Path selectorJar = home.resolve("services/selector/target/quarkus-app/quarkus-run.jar").toAbsolutePath();
        try (LocalKafka kafka = LocalKafka.start(new LocalKafkaConfig(dir.resolve("kafka"), port, port + 1, PREFIX,
                true))) {
            String bootstrap = kafka.bootstrapServers();
            List<String> common = List.of("-Dkafka.bootstrap.servers=" + bootstrap, "-Dvitrine.topics.prefix=" + PREFIX);
            List<String> learnerOptions = Stream.concat(Stream.of("-Xmx" + learnerHeap), common.stream()).toList();
            Path learnerState = dir.resolve("state/learner");

            long rewards;
            double writeSeconds;
            double learnSeconds;
            Publications publications;
            System.out.println("starting the learner");
            try (ServiceLauncher learner = ServiceLauncher.launch("learner", learnerJar, learnerState,
                    dir.resolve("logs/learner-1.log"), port + 3,
                    Stream.concat(learnerOptions.stream(), learnerExtraOptions.stream()).toList())) {
                learner.awaitReady(timeout);
                long started = System.nanoTime();
                Duration learnerCpu = cpu(learner.pid());
                Duration ownCpu = cpu(ProcessHandle.current().pid());
                rewards = writeRewards(bootstrap, scopes);
                writeSeconds = seconds(started);
                System.out.printf("%,d rewards written in %.1f s; waiting for the learner to publish them%n", rewards,
                        writeSeconds);
                publications = awaitPublished(bootstrap, rewards);
                learnSeconds = seconds(started);
                System.out.printf("every reward in a published posterior after %.1f s (%,.0f rewards/s from the "
                        + "first write)%n", learnSeconds, rewards / learnSeconds);
                // CPU time depends less on what else the machine runs than the wall-clock rate does.
                System.out.printf("CPU meanwhile: learner %.1f s (%.0f us per reward), broker, writer and reader %.1f s%n",
                        seconds(cpu(learner.pid()).minus(learnerCpu)),
                        cpu(learner.pid()).minus(learnerCpu).toNanos() / 1e3 / rewards,
                        seconds(cpu(ProcessHandle.current().pid()).minus(ownCpu)));
            }
            if (learnOnly) {
                return Optional.empty();
            }
            long stateBytes = treeSize(learnerState);
            Map<String, Long> topicBytes = topicBytes(bootstrap);

            System.out.println("restarting the learner on its own state directory (nothing to restore)");
            ServiceLauncher.Start warm = timeToReady(ServiceLauncher.launch("learner", learnerJar, learnerState,
                    dir.resolve("logs/learner-2.log"), port + 3, learnerOptions));
            System.out.println("starting a learner on an empty state directory (the whole changelog to restore)");
            ServiceLauncher.Start cold = timeToReady(ServiceLauncher.launch("learner-restore", learnerJar,
                    dir.resolve("state/learner-restore"), dir.resolve("logs/learner-restore.log"), port + 4,
                    learnerOptions));

            System.out.println("starting a selector, measuring its heap once it loaded every posterior");
            ServiceLauncher.Start selectorReady;
            long heap;
            try (ServiceLauncher selector = ServiceLauncher.launch("selector", selectorJar, dir.resolve("state/selector"),
                    dir.resolve("logs/selector.log"), port + 2,
                    Stream.concat(Stream.of("-Xmx" + selectorHeap), common.stream()).toList())) {
                selectorReady = selector.awaitReady(timeout);
                heap = heapUsedAfterFullGc(selector.pid());
            }
            return Optional.of(new Run(scopes, dimension, rewards, writeSeconds, learnSeconds, stateBytes,
                    topicBytes.getOrDefault(CHANGELOG, 0L), topicBytes.getOrDefault(Topic.POSTERIORS.name(PREFIX), 0L),
                    publications.snapshots(), publications.bytes() / (double) publications.snapshots(),
                    publications.peakBytesPerSecond(), publications.peakSnapshotsPerSecond(), warm.afterBootSeconds(),
                    cold.afterBootSeconds(), cold.afterBootSeconds() - warm.afterBootSeconds(),
                    cold.mostRecordsToRestore(), selectorReady.readySeconds(), selectorReady.afterBootSeconds(), heap,
                    Instant.now().toString()));
        }
    }

    /**
     * One reward for each scope, then one more for each of the first tenth (or {@code --rewards}, round robin);
     * returns how many were written.
     */
    private long writeRewards(String bootstrap, int scopes) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        Serializer<Reward> serializer = AvroSerdes.registryless(Reward.class).serializer();
        SplittableRandom random = new SplittableRandom(20261207L);
        String topic = Topic.REWARDS.name(PREFIX);
        long total = rewardCount.orElse(scopes + scopes / 10L);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (long i = 0; i < total; i++) {
                Reward reward = reward(random, (int) (i % scopes), i);
                producer.send(new ProducerRecord<>(topic, Scopes.learningKey(reward.getScope()),
                        serializer.serialize(topic, reward)));
                if ((i + 1) % Math.max(1, total / 10) == 0) {
                    System.out.printf("  %,d of %,d rewards sent%n", i + 1, total);
                }
            }
            producer.flush();
        }
        return total;
    }

    private Reward reward(SplittableRandom random, int scope, long i) {
        List<Float> embedding = new ArrayList<>(dimension);
        for (int j = 0; j < dimension; j++) {
            embedding.add((float) random.nextGaussian());
        }
        boolean click = random.nextDouble() < 0.1;
        Instant at = Instant.now();
        String slot = "site/slot-" + scope;
        return Reward.newBuilder()
                .setRequestId("growth-" + i).setCandidateId("c" + (i % 20)).setSlot(slot).setScope(Scopes.of(slot, "live"))
                .setEncoderVersion("live").setReward(click ? 1 : 0).setKind(click ? RewardKind.CLICK : RewardKind.NO_CLICK)
                .setDecisionTimestamp(at).setImpressionTimestamp(at).setClickTimestamp(click ? at : null)
                .setPropensity(0.05).setEmbedding(embedding).setContext(List.of(0.5f)).setCandidateFeatures(List.of(0.5f))
                .build();
    }

    /** What the posteriors topic carried, read until its newest snapshots hold {@code rewards} rewards in all. */
    private Publications awaitPublished(String bootstrap, long rewards) throws IOException {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        Deserializer<PosteriorSnapshot> deserializer = AvroSerdes.registryless(PosteriorSnapshot.class).deserializer();
        String topic = Topic.POSTERIORS.name(PREFIX);
        Publications publications = new Publications();
        Map<String, Long> versions = new HashMap<>();
        long sum = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextReport = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (sum < rewards) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("the posteriors hold " + sum + " of " + rewards + " rewards after " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    PosteriorSnapshot snapshot = deserializer.deserialize(topic, record.value());
                    Long before = versions.put(snapshot.getScope(), snapshot.getVersion());
                    sum += snapshot.getVersion() - (before == null ? 0 : before);
                    publications.add(record.timestamp(), record.serializedKeySize() + record.serializedValueSize());
                }
                if (System.nanoTime() > nextReport) {
                    System.out.printf("  %,d of %,d rewards published (%,d scopes)%n", sum, rewards, versions.size());
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                }
            }
        }
        return publications;
    }

    /** Snapshots and bytes on the posteriors topic, and per second of their timestamps (the publish interval). */
    static final class Publications {
        private final Map<Long, long[]> perSecond = new HashMap<>();
        private long snapshots;
        private long bytes;

        void add(long timestampMillis, long size) {
            snapshots++;
            bytes += size;
            long[] second = perSecond.computeIfAbsent(timestampMillis / 1_000, s -> new long[2]);
            second[0]++;
            second[1] += size;
        }

        long snapshots() {
            return snapshots;
        }

        long bytes() {
            return bytes;
        }

        long peakBytesPerSecond() {
            return perSecond.values().stream().mapToLong(s -> s[1]).max().orElse(0);
        }

        long peakSnapshotsPerSecond() {
            return perSecond.values().stream().mapToLong(s -> s[0]).max().orElse(0);
        }
    }

    /** Bytes of every topic's partitions on the broker's disk. */
    private static Map<String, Long> topicBytes(String bootstrap) throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        Map<String, Long> sizes = new HashMap<>();
        try (Admin admin = Admin.create(config)) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
                for (LogDirDescription dir : dirs.values()) {
                    dir.replicaInfos().forEach((partition, info) -> sizes.merge(partition.topic(), info.size(), Long::sum));
                }
            }
        }
        return sizes;
    }

    /** How the service's start went; then stops it. */
    private ServiceLauncher.Start timeToReady(ServiceLauncher service) throws IOException, InterruptedException {
        try (service) {
            ServiceLauncher.Start start = service.awaitReady(timeout);
            System.out.printf("  answering after %.1f s, ready %.1f s later (%,d changelog records to restore)%n",
                    start.httpSeconds(), start.afterBootSeconds(), start.mostRecordsToRestore());
            return start;
        }
    }

    /** The heap in use after a full collection, from {@code jcmd <pid> GC.heap_info}. */
    private static long heapUsedAfterFullGc(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        return heapUsed(jcmd(pid, "GC.heap_info"));
    }

    /**
     * The heap in use according to {@code GC.heap_info}, in bytes: the "used" of its "total ...K, used ...K" lines,
     * one for G1's heap, one per generation for Serial and Parallel (Metaspace is not heap and has no "total").
     */
    static long heapUsed(String heapInfo) {
        Matcher matcher = HEAP_USED.matcher(heapInfo);
        long usedKb = 0;
        boolean found = false;
        while (matcher.find()) {
            usedKb += Long.parseLong(matcher.group(2));
            found = true;
        }
        if (!found) {
            throw new IllegalArgumentException("no 'total ...K, used ...K' line in GC.heap_info's output: "
                    + heapInfo.strip());
        }
        return usedKb * 1024;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed: " + output.strip());
        }
        return output;
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static List<Run> readRuns(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return List.of(json().readValue(file.toFile(), Run[].class));
        } catch (IOException e) {
            throw new IOException(file + " does not hold the results of earlier runs: " + e.getMessage(), e);
        }
    }

    private static void writeRuns(Path file, List<Run> runs) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        json().writeValue(file.toFile(), runs);
    }

    static ObjectMapper json() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The process's CPU time so far (user and system), zero where the platform does not tell. */
    private static Duration cpu(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    private static String mb(long bytes) {
        return String.format("%,.1f MB", bytes / 1e6);
    }
}
