package io.vitrine.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.DurationConverter;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.stack.StackException;
import io.vitrine.loadtest.http.DecisionBodies;
import io.vitrine.loadtest.http.OpenLoopHttp;
import io.vitrine.loadtest.http.SelectorTimes;
import io.vitrine.loadtest.http.Target;
import io.vitrine.loadtest.openloop.Progress;
import io.vitrine.loadtest.openloop.StepResult;
import io.vitrine.quality.Charts;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.function.LongFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The HTTP decision load test: decisions and the baseline endpoint of the same selector process, stepped up in
 * rate, each step open loop; per target the highest rate whose step held the latency goal with no errors, then
 * that rate held for longer. Writes JSON and a plot of latency against offered rate.
 */
@Command(name = "http", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open-loop load test of POST /v1/decisions against the baseline endpoint (POST /v1/baseline, "
                + "which does nothing) of the same selector, in the same run: for each, steps of a fixed arrival "
                + "rate, latency from each request's intended send time, until the target no longer keeps up (an "
                + "error, answers below 90%% of the offered rate, or p99 over 1 s); the highest rate that held the "
                + "p99 goal with no errors is then held for --hold.",
                "Without --selector-url it starts Kafka, the learner and the selector as processes on ports "
                        + "--port-base to --port-base + 3 (build first: ./mvnw -DskipTests install)."})
final class HttpLoadCommand implements Callable<Integer> {

    @Option(names = "--selector-url", paramLabel = "URL",
            description = "A running selector (started with vitrine.selector.baseline-endpoint=true); default: start one.")
    Optional<URI> selectorUrl;

    @Option(names = "--rates", split = ",", paramLabel = "R1,R2,...",
            defaultValue = "1000,2000,3000,4000,5000,6000,8000,10000,12000,15000,20000",
            description = "Offered rates of the steps, requests/s, ascending (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--step", defaultValue = "15s", converter = DurationConverter.class,
            description = "Length of a step (default: ${DEFAULT-VALUE}).")
    Duration step;

    @Option(names = "--hold", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long the highest rate that held is held again at the end; 0s: not (default: ${DEFAULT-VALUE}).")
    Duration hold;

    @Option(names = "--warmup", defaultValue = "20s", converter = DurationConverter.class,
            description = "Warm-up of each target at the first rate, not reported (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--p99-goal", defaultValue = "10", paramLabel = "MS",
            description = "Latency goal of a step: p99 at most this many milliseconds (default: ${DEFAULT-VALUE}).")
    double p99Goal;

    @Option(names = "--candidates", defaultValue = "20", description = "K, candidates per decision (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--connections", defaultValue = "64", description = "HTTP connections at most (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--max-in-flight", defaultValue = "20000",
            description = "Unanswered requests at most; a request due beyond is an error, backlog (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--smoke", description = "A few seconds per target at two low rates, no hold: it runs, no errors, numbers present.")
    boolean smoke;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "load-tests/target/http-load",
            description = "Where http-load.json and http-load.png go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--port-base", defaultValue = "19100", description = "First port of the started stack (default: ${DEFAULT-VALUE}).")
    int portBase;

    @Option(names = "--selector-jvm-option", paramLabel = "OPT",
            description = "A JVM option of the started selector, repeatable (e.g. -XX:StartFlightRecording=filename=s.jfr).")
    List<String> selectorOptions = new ArrayList<>();

    @Mixin
    SelectorStart selectorStart;

    private final PrintStream stdout;
    private final PrintStream stderr;

    HttpLoadCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** The whole run, as written to http-load.json. */
    record Report(String command, String started, String machine, int candidates, int contextFeatures,
                  int candidateFeatures, int dimension, String encoderVersion, double p99GoalMillis,
                  List<StepResult> steps, Map<String, Integer> highestHolding, List<StepResult> holds) {
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            rates = List.of(100, 200);
            step = Duration.ofSeconds(3);
            warmup = Duration.ofSeconds(2);
            hold = Duration.ZERO;
        }
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0)) {
            stderr.println("http: --rates must be positive rates, got " + rates);
            return 2;
        }
        rates = rates.stream().sorted().distinct().toList();
        Instant started = Instant.now();
        try (LoadStack stack = selectorUrl.isPresent() ? null
                : selectorStart.start("stack", portBase, selectorOptions, stdout)) {
            return run(stack == null ? selectorUrl.get() : stack.selector(), started);
        } catch (StackException e) {
            stderr.println("http: " + e.getMessage());
            return 1;
        }
    }

    private int run(URI selector, Instant started) throws Exception {
        EncoderInfo encoder = new VitrineHttp(VitrineHttp.newClient(), new ObjectMapper()).encoder(selector);
        DecisionBodies bodies = new DecisionBodies(candidates, encoder.contextFeatures(), encoder.candidateFeatures(),
                8, 14);
        List<Target> targets = List.of(new Target("baseline", selector.resolve("/v1/baseline"), "{}"),
                new Target("decisions", selector.resolve("/v1/decisions"), "\"propensity\""));
        stdout.printf(Locale.ROOT, "K = %d, %d context + %d candidate features, d = %d (encoder %s); goal p99 <= %s ms"
                        + " with no errors; steps of %s at %s requests/s%n", candidates, encoder.contextFeatures(),
                encoder.candidateFeatures(), encoder.dimension(), encoder.version(), p99Goal, step, rates);
        List<StepResult> steps = new ArrayList<>();
        Map<String, Integer> highest = new LinkedHashMap<>();
        List<StepResult> holds = new ArrayList<>();
        int[] stepNumber = {0};
        java.net.http.HttpClient metrics = VitrineHttp.newClient();
        Progress progress = Progress.printed(stderr, 9);
        try (OpenLoopHttp generator = new OpenLoopHttp(connections, maxInFlight)) {
            for (Target target : targets) {
                generator.run(target, rates.get(0), warmup, i -> bodies.body(stepNumber[0], i), progress);
                stepNumber[0]++;
            }
            LoadRuns.alternate(targets, rates, (target, rate) -> {
                StepResult result = measured(generator, metrics, selector, target, rate, step,
                        i -> bodies.body(stepNumber[0], i), progress);
                stepNumber[0]++;
                steps.add(result);
                stdout.println(line(result));
                if (result.holds(p99Goal)) {
                    highest.put(target.name(), rate);
                }
                return result.keepsUp();
            });
            if (!hold.isZero()) {
                for (Target target : targets) {
                    Integer rate = highest.get(target.name());
                    if (rate != null) {
                        StepResult result = measured(generator, metrics, selector, target, rate, hold,
                                i -> bodies.body(stepNumber[0], i), progress);
                        stepNumber[0]++;
                        holds.add(result);
                        stdout.println("hold " + line(result));
                    }
                }
            }
        }
        Report report = new Report("http", started.toString(), LoadRuns.machine(), candidates,
                encoder.contextFeatures(), encoder.candidateFeatures(), encoder.dimension(), encoder.version(),
                p99Goal, steps, highest, holds);
        write(report);
        summary(report);
        if (LoadRuns.failedAtTheStart(targets.stream().map(Target::name).toList(), steps)) {
            stderr.println("http: a target had errors at the lowest rate " + rates.get(0) + "/s (see above)");
            return 1;
        }
        return 0;
    }

    /** A step with the selector's own times over it. */
    private static StepResult measured(OpenLoopHttp generator, java.net.http.HttpClient metrics, URI selector,
                                       Target target, int rate, Duration duration, LongFunction<byte[]> bodies,
                                       Progress progress) throws Exception {
        SelectorTimes before = SelectorTimes.read(metrics, selector);
        StepResult result = generator.run(target, rate, duration, bodies, progress);
        SelectorTimes after = SelectorTimes.read(metrics, selector);
        return result.withSelectorTimes(after.meanDecideMicros(before), after.meanLogMillis(before));
    }

    static String line(StepResult r) {
        return r.line(9) + (Double.isNaN(r.decideMicros()) ? "" : String.format(Locale.ROOT,
                "  (selector: decide %.0f us, Kafka ack %.2f ms on average)", r.decideMicros(), r.logMillis()));
    }

    private void write(Report report) throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve("http-load.json");
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String target : List.of("baseline", "decisions")) {
            LoadRuns.latencies(series, target, target, report.steps());
        }
        series.put("goal p99", new double[][] {{rates.get(0), rates.get(rates.size() - 1)}, {p99Goal, p99Goal}});
        Path png = out.resolve("http-load.png");
        Charts.line(png, "HTTP decisions against the baseline endpoint, same selector, same run",
                report.machine() + ", K = " + report.candidates() + ", d = " + report.dimension()
                        + "; latency from the intended send time", "offered rate (requests/s)", "latency (ms)",
                series, true, true);
        stdout.println("wrote " + json + " and " + png);
    }

    private void summary(Report report) {
        stdout.println();
        stdout.println("highest rate holding p99 <= " + report.p99GoalMillis() + " ms with no errors:");
        for (String target : List.of("baseline", "decisions")) {
            Integer rate = report.highestHolding().get(target);
            stdout.printf(Locale.ROOT, "  %-9s %s%n", target, rate == null ? "none of the rates" : String.format(
                    Locale.ROOT, "%,d/s", rate));
        }
        Integer baseline = report.highestHolding().get("baseline");
        Integer decisions = report.highestHolding().get("decisions");
        if (baseline != null && decisions != null) {
            stdout.printf(Locale.ROOT, "  decisions / baseline: %.2f%n", decisions / (double) baseline);
        }
        for (StepResult held : report.holds()) {
            stdout.printf(Locale.ROOT, "  held %-9s %,d/s for %.0f s: p99 %.2f ms, errors %d%n", held.target(),
                    held.offered(), held.seconds(), held.p99(), held.errorCount());
        }
    }
}
