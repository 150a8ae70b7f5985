package io.vitrine.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.DurationConverter;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.stack.StackException;
import io.vitrine.loadtest.openloop.Progress;
import io.vitrine.loadtest.openloop.StepResult;
import io.vitrine.loadtest.topic.OpenLoopTopic;
import io.vitrine.loadtest.topic.RequestRecords;
import io.vitrine.loadtest.topic.TopicDecideTime;
import io.vitrine.loadtest.topic.TopicTarget;
import io.vitrine.quality.Charts;
import io.vitrine.schemas.Topic;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The topic-path load test: decision requests produced to {@code decision-requests} and their decisions read back
 * from {@code decisions}, against Kafka's raw produce -> consume round trip of the same records on a topic of its
 * own, alternating rate by rate in the same run; per target the highest rate it kept up with, and the two ratios the
 * goal is stated in. Writes JSON and a plot of latency against offered rate.
 */
@Command(name = "topic", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open-loop load test of the selector's topic path (requests produced to decision-requests, "
                + "each answered by its decision on decisions, matched by request id) against Kafka's raw round trip "
                + "(the same records produced to a topic of their own and read back, nothing in between), in the "
                + "same run: for each, steps of a fixed arrival rate, latency from each request's intended send time "
                + "to its answer's arrival, until the target no longer keeps up (an error, answers below 90%% of the "
                + "offered rate, or p99 over 1 s). Reports both sustainable rates (the highest that kept up), their "
                + "ratio (goal: topic path >= 50%% of the raw round trip) and the ratio of p99s at --compare-rate "
                + "(goal: at most 2).",
                "Without --selector-url it starts Kafka, the learner and the selector as processes on ports "
                        + "--port-base to --port-base + 3 (build first: ./mvnw -DskipTests install)."})
final class TopicLoadCommand implements Callable<Integer> {

    static final String RAW_TOPIC = "raw-round-trip";
    private static final double RATE_GOAL = 0.5;
    private static final double P99_GOAL = 2.0;

    @Option(names = "--selector-url", paramLabel = "URL",
            description = "A running selector (with --bootstrap and --topic-prefix of its broker); default: start one.")
    Optional<URI> selectorUrl;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "The running selector's broker.")
    Optional<String> bootstrap;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "The running selector's topic prefix.")
    Optional<String> topicPrefix;

    @Option(names = "--rates", split = ",", paramLabel = "R1,R2,...", defaultValue = "250,500,1000,2000,3000,4000,6000,8000",
            description = "Offered rates of the steps, requests/s, ascending (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--step", defaultValue = "10s", converter = DurationConverter.class,
            description = "Length of a step (default: ${DEFAULT-VALUE}).")
    Duration step;

    @Option(names = "--warmup", defaultValue = "15s", converter = DurationConverter.class,
            description = "Warm-up of each target at the first rate, not reported (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--compare-rate", defaultValue = "2000", paramLabel = "R",
            description = "The rate whose p99s are compared (default: ${DEFAULT-VALUE}; one of --rates).")
    int compareRate;

    @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "An answer later than this after its request's intended send time is an error (default: "
                    + "${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--candidates", defaultValue = "20", description = "K, candidates per decision (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--max-in-flight", defaultValue = "50000",
            description = "Unanswered requests at most; a request due beyond is an error, backlog (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--smoke", description = "A few seconds per target at two low rates, both run whatever the first "
            + "showed: it runs, no errors, numbers present.")
    boolean smoke;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "load-tests/target/topic-load",
            description = "Where topic-load.json and topic-load.png go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--port-base", defaultValue = "19300", description = "First port of the started stack (default: ${DEFAULT-VALUE}).")
    int portBase;

    @Option(names = "--selector-jvm-option", paramLabel = "OPT",
            description = "A JVM option or -Dkey=value of the started selector, repeatable (e.g. "
                    + "-XX:StartFlightRecording=filename=s.jfr, -Dkafka-streams.producer.linger.ms=100).")
    List<String> selectorOptions = new ArrayList<>();

    @Mixin
    SelectorStart selectorStart;

    private final PrintStream stdout;
    private final PrintStream stderr;

    TopicLoadCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * The whole run, as written to topic-load.json. A target that kept up at every rate has a sustainable rate of at
     * least its highest ({@code keptUpAtEveryRate}), and a ratio computed with it is then a bound, not a value.
     */
    record Report(String command, String started, String machine, double loadAverageBefore, double loadAverageAfter,
                  List<String> selectorOptions, int candidates, int contextFeatures, int candidateFeatures,
                  int dimension, String encoderVersion, int requestBytes, Map<String, Double> answerBytes,
                  long timeoutMillis, List<StepResult> steps, Map<String, Integer> sustainable,
                  List<String> keptUpAtEveryRate, Double sustainableRatio, double sustainableRatioGoal,
                  int compareRate, Double p99Ratio, double p99RatioGoal) {
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            rates = List.of(50, 100);
            step = Duration.ofSeconds(3);
            warmup = Duration.ofSeconds(2);
            compareRate = 100;
        }
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0)) {
            stderr.println("topic: --rates must be positive rates, got " + rates);
            return 2;
        }
        if (selectorUrl.isPresent() != bootstrap.isPresent() || selectorUrl.isPresent() != topicPrefix.isPresent()) {
            stderr.println("topic: --selector-url, --bootstrap and --topic-prefix go together (a running stack), "
                    + "or none of them (start one)");
            return 2;
        }
        rates = rates.stream().sorted().distinct().toList();
        Instant started = Instant.now();
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        try (LoadStack stack = selectorUrl.isPresent() ? null
                : selectorStart.start("topic-stack", portBase, selectorOptions, stdout)) {
            return stack == null ? run(selectorUrl.get(), bootstrap.get(), topicPrefix.get(), started, loadBefore)
                    : run(stack.selector(), stack.bootstrapServers(), LoadStack.TOPIC_PREFIX, started, loadBefore);
        } catch (StackException e) {
            stderr.println("topic: " + e.getMessage());
            return 1;
        }
    }

    private int run(URI selector, String brokers, String prefix, Instant started, double loadBefore) throws Exception {
        EncoderInfo encoder = new VitrineHttp(VitrineHttp.newClient(), new ObjectMapper()).encoder(selector);
        RequestRecords requests = new RequestRecords(candidates, encoder.contextFeatures(),
                encoder.candidateFeatures(), 8, 14);
        int requestBytes = requests.value(requests.requestId(0, 0), 0, System.currentTimeMillis()).length;
        String rawTopic = prefix + RAW_TOPIC;
        createRawTopic(brokers, rawTopic);
        List<TopicTarget> targets = List.of(TopicTarget.raw(rawTopic),
                TopicTarget.topicPath(Topic.DECISION_REQUESTS.name(prefix), Topic.DECISIONS.name(prefix)));
        stdout.printf(Locale.ROOT, "K = %d, %d context + %d candidate features, d = %d (encoder %s), requests of %d "
                        + "bytes; steps of %.1f s at %s requests/s; raw round trip on %s, topic path %s -> %s%n",
                candidates, encoder.contextFeatures(), encoder.candidateFeatures(), encoder.dimension(),
                encoder.version(), requestBytes, step.toMillis() / 1000.0, rates, rawTopic, targets.get(1).requestTopic(),
                targets.get(1).answerTopic());
        List<StepResult> steps = new ArrayList<>();
        Map<String, Integer> sustainable = new LinkedHashMap<>();
        Map<String, Double> answerBytes = new LinkedHashMap<>();
        int[] stepNumber = {0};
        java.net.http.HttpClient metrics = VitrineHttp.newClient();
        Progress progress = Progress.printed(stderr, 5);
        try (OpenLoopTopic generator = new OpenLoopTopic(brokers, targets, Topic.DEAD_LETTERS.name(prefix),
                maxInFlight, timeout)) {
            for (TopicTarget target : targets) {
                generator.run(target, rates.get(0), warmup, stepNumber[0]++, requests, progress);
            }
            LoadRuns.alternate(targets, rates, (target, rate) -> {
                if (!generator.settle(Duration.ofSeconds(1), Duration.ofSeconds(60))) {
                    stderr.println("topic: answers still arriving 60 s after the last step; going on");
                }
                TopicDecideTime before = TopicDecideTime.read(metrics, selector);
                StepResult result = generator.run(target, rate, step, stepNumber[0]++, requests, progress);
                TopicDecideTime after = TopicDecideTime.read(metrics, selector);
                if (!target.name().equals("raw")) {
                    result = result.withSelectorTimes(after.meanMicros(before), Double.NaN);
                }
                steps.add(result);
                stdout.println(line(result));
                if (result.keepsUp()) {
                    sustainable.merge(target.name(), rate, Math::max);
                }
                // A smoke run is about every step running; on a loaded machine a step of a few seconds may answer
                // under 90% of its rate within it, the last answers' latency counting.
                return result.keepsUp() || smoke;
            });
            for (TopicTarget target : targets) {
                answerBytes.put(target.name(), generator.meanAnswerBytes(target.name()));
            }
        }
        int highestRate = rates.get(rates.size() - 1);
        List<String> everyRate = targets.stream().map(TopicTarget::name)
                .filter(name -> steps.stream().filter(s -> s.target().equals(name)).allMatch(StepResult::keepsUp)
                        && at(steps, name, highestRate).isPresent()).toList();
        Integer raw = sustainable.get("raw");
        Integer topic = sustainable.get("topic");
        Double rateRatio = raw == null || topic == null ? null : topic / (double) raw;
        Optional<StepResult> rawAt = at(steps, "raw", compareRate);
        Optional<StepResult> topicAt = at(steps, "topic", compareRate);
        // Also when the topic path fell behind there: its p99 is then its backlog's, and the goal is not met.
        Double p99Ratio = rawAt.isPresent() && topicAt.isPresent() && rawAt.get().ok() > 0 && topicAt.get().ok() > 0
                ? topicAt.get().p99() / rawAt.get().p99() : null;
        Report report = new Report("topic", started.toString(), LoadRuns.machine(), loadBefore,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), selectorOptions, candidates,
                encoder.contextFeatures(), encoder.candidateFeatures(), encoder.dimension(), encoder.version(),
                requestBytes, answerBytes, timeout.toMillis(), steps, sustainable, everyRate, rateRatio, RATE_GOAL,
                compareRate, p99Ratio, P99_GOAL);
        write(report);
        summary(report);
        if (LoadRuns.failedAtTheStart(targets.stream().map(TopicTarget::name).toList(), steps)) {
            stderr.println("topic: a target had errors at the lowest rate " + rates.get(0) + "/s (see above)");
            return 1;
        }
        return 0;
    }

    private static Optional<StepResult> at(List<StepResult> steps, String target, int rate) {
        return steps.stream().filter(s -> s.target().equals(target) && s.offered() == rate).findFirst();
    }

    /** The raw round trip's topic, with as many partitions as decision-requests; kept if an earlier run made it. */
    private static void createRawTopic(String brokers, String name) throws InterruptedException, StackException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(List.of(new NewTopic(name, Topic.DECISION_REQUESTS.partitions(), (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new StackException("cannot create the raw round trip's topic " + name + ": "
                        + e.getCause().getMessage());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new StackException("the broker " + brokers + " did not create " + name + " within 30 s");
        }
    }

    static String line(StepResult r) {
        return r.line(5) + (Double.isNaN(r.decideMicros()) ? "" : String.format(Locale.ROOT,
                "  (selector: decide %.0f us on average)", r.decideMicros()));
    }

    private void write(Report report) throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve("topic-load.json");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String target : List.of("raw", "topic")) {
            LoadRuns.latencies(series, target.equals("raw") ? "raw round trip" : "topic path", target, report.steps());
        }
        Path png = out.resolve("topic-load.png");
        Charts.line(png, "Topic path (decision-requests -> decisions) against Kafka's raw round trip, same run",
                report.machine() + ", K = " + report.candidates() + ", d = " + report.dimension() + ", requests of "
                        + report.requestBytes() + " bytes; latency from the intended send time",
                "offered rate (requests/s)", "latency (ms)", series, true, true);
        stdout.println("wrote " + json + " and " + png);
    }

    private void summary(Report report) {
        stdout.println();
        stdout.println("highest rate kept up with (no errors, >= 90% answered, p99 < 1 s):");
        for (String target : List.of("raw", "topic")) {
            Integer rate = report.sustainable().get(target);
            stdout.printf(Locale.ROOT, "  %-5s %s%s%n", target, rate == null ? "none of the rates"
                    : String.format(Locale.ROOT, "%,d/s", rate), report.keptUpAtEveryRate().contains(target)
                    ? " (every rate: at least this)" : "");
        }
        if (report.sustainableRatio() == null) {
            stdout.println("  topic / raw sustainable rate: not measured (a target kept up with none of the rates)");
        } else {
            String bound = report.keptUpAtEveryRate().contains("raw") && !report.keptUpAtEveryRate().contains("topic")
                    ? " (at most: the raw round trip kept up at every rate)"
                    : report.keptUpAtEveryRate().contains("topic") && !report.keptUpAtEveryRate().contains("raw")
                    ? " (at least: the topic path kept up at every rate)" : "";
            stdout.printf(Locale.ROOT, "  topic / raw sustainable rate: %.2f%s, goal >= %.2f: %s%n",
                    report.sustainableRatio(), bound, report.sustainableRatioGoal(),
                    report.sustainableRatio() >= report.sustainableRatioGoal() ? "met" : "not met");
        }
        if (report.p99Ratio() == null) {
            stdout.printf(Locale.ROOT, "  topic / raw p99 at %,d/s: not measured (a target stopped below it, or the "
                    + "rate is not among --rates)%n", report.compareRate());
        } else {
            StepResult raw = at(report.steps(), "raw", report.compareRate()).orElseThrow();
            StepResult topic = at(report.steps(), "topic", report.compareRate()).orElseThrow();
            stdout.printf(Locale.ROOT, "  topic / raw p99 at %,d/s: %.2f (%.2f / %.2f ms%s), goal <= %.1f: %s%n",
                    report.compareRate(), report.p99Ratio(), topic.p99(), raw.p99(),
                    topic.keepsUp() ? "" : ", the topic path behind", report.p99RatioGoal(),
                    report.p99Ratio() <= report.p99RatioGoal() ? "met" : "not met");
        }
    }
}
