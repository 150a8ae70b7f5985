package io.vitrine.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.DurationConverter;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import io.vitrine.loadtest.learner.LearnerLoad;
import io.vitrine.loadtest.learner.LearnerStepResult;
import io.vitrine.loadtest.learner.Placement;
import io.vitrine.quality.Charts;
import java.io.IOException;
import java.io.PrintStream;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The learner load test: decisions, impressions and clicks written to the topics at a fixed rate, stepped up, each
 * step once with impressions and clicks where Kafka's Java client puts them and once where librdkafka's does (through
 * the learner's repartition topics), alternating rate by rate; for each step, how long after its window closed each
 * reward was on the topic, how long after that it was in a published posterior, and for a click how long after it
 * was sent its reward was in one.
 */
@Command(name = "learner", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open-loop load test of the learner: at each rate, requests (a decision as the selector logs it, "
                + "its impression, a click on some) written to the topics for --step, with impressions and clicks "
                + "placed as each --placements says (java: Kafka's murmur2 partitioner; librdkafka: CRC32, as "
                + "Python, Go, .NET, Node.js and kcat clients write, joined through the learner's repartition "
                + "topics), alternating rate by rate on the same learner. Measured per step from a read-committed "
                + "consumer: every reward (once each), its delay from the end of its attribution window, its "
                + "delay to a published posterior, and for a click the delay from its send time to a published "
                + "posterior holding its reward. A placement stops at the first rate it does not keep up with "
                + "(a reward missing or doubled, or a p99 delay over --delay-goal).",
                "Starts Kafka and the learner as processes on ports --port-base to --port-base + 3 (build first: "
                        + "./mvnw -DskipTests install)."})
final class LearnerLoadCommand implements Callable<Integer> {

    @Option(names = "--rates", split = ",", paramLabel = "R1,R2,...", defaultValue = "250,500,1000,2000,3000,4000,6000",
            description = "Requests per second of the steps, ascending (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--step", defaultValue = "20s", converter = DurationConverter.class,
            description = "How long each step sends (default: ${DEFAULT-VALUE}).")
    Duration step;

    @Option(names = "--warmup", defaultValue = "15s", converter = DurationConverter.class,
            description = "A first step at the lowest rate, not reported, while the learner's code warms up "
                    + "(default: ${DEFAULT-VALUE}; 0s: none).")
    Duration warmup;

    @Option(names = "--placements", split = ",", defaultValue = "java,librdkafka", paramLabel = "P1,P2",
            description = "Where impressions and clicks are written, each step once per placement (default: ${DEFAULT-VALUE}).")
    List<String> placements;

    @Option(names = "--click-share", defaultValue = "0.1", description = "Share of impressions clicked (default: ${DEFAULT-VALUE}).")
    double clickShare;

    @Option(names = "--window", defaultValue = "2s", converter = DurationConverter.class,
            description = "The learner's attribution window (default: ${DEFAULT-VALUE}, as the demo's).")
    Duration window;

    @Option(names = "--publish-interval", defaultValue = "500ms", converter = DurationConverter.class,
            description = "How often the learner publishes a posterior (default: ${DEFAULT-VALUE}, as the demo's).")
    Duration publishInterval;

    @Option(names = "--delay-goal", defaultValue = "5000", paramLabel = "MS",
            description = "A step keeps up when p99 of both delays is at most this (default: ${DEFAULT-VALUE} ms).")
    double delayGoal;

    @Option(names = "--drain", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long after a step's last event its rewards may take (default: ${DEFAULT-VALUE}).")
    Duration drain;

    @Option(names = "--learner-option", paramLabel = "OPT",
            description = "A JVM option or -Dkey=value of the learner, repeatable (e.g. "
                    + "-Dkafka-streams.commit.interval.ms=500, -XX:StartFlightRecording=filename=learner.jfr).")
    List<String> learnerOptions = new ArrayList<>();

    @Option(names = "--smoke", description = "One short low-rate step per placement: it runs, exactly once holds, numbers present.")
    boolean smoke;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "load-tests/target/learner-load",
            description = "Where learner-load.json and learner-load.png go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--port-base", defaultValue = "19500", description = "First port of the started stack (default: ${DEFAULT-VALUE}).")
    int portBase;

    @Option(names = "--home", paramLabel = "DIR", description = "Root of the Vitrine source tree (default: found from here).")
    Optional<Path> home;

    private final PrintStream stdout;
    private final PrintStream stderr;

    LearnerLoadCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The whole run, as written to learner-load.json. */
    record Report(String command, String started, String machine, List<String> learnerOptions, long windowMillis,
                  long publishIntervalMillis, double clickShare, double delayGoalMillis, List<LearnerStepResult> steps,
                  Map<String, Integer> highestKeepingUp) {
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            rates = List.of(50);
            step = Duration.ofSeconds(3);
            warmup = Duration.ZERO;
        }
        List<Placement> order = new ArrayList<>();
        for (String name : placements) {
            Optional<Placement> placement = java.util.Arrays.stream(Placement.values())
                    .filter(p -> p.label().equals(name)).findFirst();
            if (placement.isEmpty()) {
                stderr.println("learner: unknown placement '" + name + "' (java or librdkafka)");
                return 2;
            }
            order.add(placement.get());
        }
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || clickShare < 0 || clickShare > 1) {
            stderr.println("learner: --rates must be positive and --click-share within [0, 1]");
            return 2;
        }
        rates = rates.stream().sorted().distinct().toList();
        Instant started = Instant.now();
        List<String> options = new ArrayList<>(List.of(
                "-Dvitrine.learner.attribution-window=" + window.toMillis() + "ms",
                "-Dvitrine.learner.publish-interval=" + publishInterval.toMillis() + "ms"));
        options.addAll(learnerOptions);
        Path root;
        try {
            root = RepoHome.locate(home);
        } catch (StackException e) {
            stderr.println("learner: " + e.getMessage());
            return 1;
        }
        try (LoadStack stack = LoadStack.start(root, root.resolve("load-tests/target/learner-stack"), portBase,
                Optional.empty(), List.of(), options, stdout)) {
            stdout.printf(Locale.ROOT, "window %s (+ 1 s allowed lateness), posteriors every %s, %.0f%% clicked; "
                            + "steps of %s at %s requests/s, placements %s; goal p99 <= %.0f ms%n", window,
                    publishInterval, clickShare * 100, step, rates, placements, delayGoal);
            List<LearnerStepResult> steps = new ArrayList<>();
            Map<String, Integer> highest = new LinkedHashMap<>();
            try (LearnerLoad load = new LearnerLoad(stack.bootstrapServers(), LoadStack.TOPIC_PREFIX,
                    window.plusSeconds(1), clickShare)) {
                if (!warmup.isZero()) {
                    load.step(rates.get(0), warmup, order.get(0), drain, this::progress);
                }
                LoadRuns.alternate(order, rates, (placement, rate) -> {
                    LearnerStepResult result = load.step(rate, step, placement, drain, this::progress);
                    steps.add(result);
                    stdout.println(line(result));
                    if (result.keepsUp(delayGoal)) {
                        highest.put(placement.label(), rate);
                    }
                    return result.keepsUp(delayGoal);
                });
            }
            Report report = new Report("learner", started.toString(), LoadRuns.machine(), learnerOptions,
                    window.toMillis(), publishInterval.toMillis(), clickShare, delayGoal, steps, highest);
            write(report);
            summary(report);
            boolean lostOrDoubled = steps.stream().anyMatch(s -> s.duplicates() > 0
                    || (s.rewards() < s.requests() && s.offered() == rates.get(0)));
            if (lostOrDoubled) {
                stderr.println("learner: a reward was doubled, or missing at the lowest rate (see above)");
                return 1;
            }
            return 0;
        } catch (StackException e) {
            stderr.println("learner: " + e.getMessage());
            return 1;
        }
    }

    private void progress(String placement, int rate, String phase, double seconds, long done, long total) {
        stderr.printf(Locale.ROOT, "  %-10s %,6d/s  %-8s %5.1f s  %,d / %,d%n", placement, rate, phase, seconds, done,
                total);
    }

    static String line(LearnerStepResult r) {
        return String.format(Locale.ROOT, "%-10s offered %,6d/s  rewards %,7d/%,7d (doubled %d)  %,7.0f/s  "
                        + "reward delay p50 %6.0f p99 %6.0f max %6.0f ms  posterior delay p50 %6.0f p99 %6.0f ms"
                        + "  click to posterior p50 %6.0f p99 %6.0f ms  (send lag max %.0f ms)",
                r.placement(), r.offered(), r.rewards(), r.requests(), r.duplicates(), r.rewardsPerSecond(),
                r.rewardP50(), r.rewardP99(), r.rewardMax(), r.posteriorP50(), r.posteriorP99(), r.clickP50(),
                r.clickP99(), r.maxSendLagMillis());
    }

    private void write(Report report) throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve("learner-load.json");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String placement : placements) {
            List<LearnerStepResult> of = report.steps().stream().filter(s -> s.placement().equals(placement)).toList();
            double[] x = of.stream().mapToDouble(LearnerStepResult::offered).toArray();
            series.put(placement + ": reward p99", new double[][] {x,
                    of.stream().mapToDouble(LearnerStepResult::rewardP99).toArray()});
            series.put(placement + ": posterior p99", new double[][] {x,
                    of.stream().mapToDouble(LearnerStepResult::posteriorP99).toArray()});
            series.put(placement + ": click to posterior p99", new double[][] {x,
                    of.stream().mapToDouble(LearnerStepResult::clickP99).toArray()});
        }
        series.put("goal", new double[][] {{rates.get(0), rates.get(rates.size() - 1)}, {delayGoal, delayGoal}});
        Path png = out.resolve("learner-load.png");
        Charts.line(png, "Learner: delay of rewards and posteriors against the offered rate",
                report.machine() + "; reward delay from the end of its window, posterior delay from the reward, click"
                        + " to posterior from the click's send time",
                "offered rate (requests/s)", "delay (ms)", series, true, true);
        stdout.println("wrote " + json + " and " + png);
    }

    private void summary(Report report) {
        stdout.println();
        stdout.println("highest rate every reward arrived once with p99 delays <= " + report.delayGoalMillis() + " ms:");
        for (String placement : placements) {
            Integer rate = report.highestKeepingUp().get(placement);
            stdout.printf(Locale.ROOT, "  %-10s %s%n", placement, rate == null ? "none of the rates"
                    : String.format(Locale.ROOT, "%,d requests/s", rate));
        }
    }
}
