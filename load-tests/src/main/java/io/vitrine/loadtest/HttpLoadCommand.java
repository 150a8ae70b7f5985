package io.vitrine.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vitrine.cli.DurationConverter;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.cli.http.VitrineHttp;
import io.vitrine.cli.stack.RepoHome;
import io.vitrine.cli.stack.StackException;
import io.vitrine.loadtest.http.DecisionBodies;
import io.vitrine.loadtest.http.OpenLoopHttp;
import io.vitrine.loadtest.http.SelectorTimes;
import io.vitrine.loadtest.http.StepResult;
import io.vitrine.loadtest.http.Target;
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
import picocli.CommandLine.Command;
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

    @Option(names = "--selector-jar", paramLabel = "JAR",
            description = "The selector to start (default: services/selector/target/quarkus-app/quarkus-run.jar), e.g. "
                    + "an earlier build to compare with.")
    Optional<Path> selectorJar;

    @Option(names = "--home", paramLabel = "DIR", description = "Root of the Vitrine source tree (default: found from here).")
    Optional<Path> home;

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
        LoadStack stack = null;
        try {
            URI selector;
            if (selectorUrl.isPresent()) {
                selector = selectorUrl.get();
            } else {
                Path root = RepoHome.locate(home);
                stack = LoadStack.start(root, root.resolve("load-tests/target/stack"), portBase,
                        Optional.of(selectorJar.map(Path::toAbsolutePath)
                                .orElse(root.resolve("services/selector/target/quarkus-app/quarkus-run.jar"))),
                        selectorOptions, List.of(), stdout);
                selector = stack.selector();
            }
            return run(selector, started);
        } catch (StackException e) {
            stderr.println("http: " + e.getMessage());
            return 1;
        } finally {
            if (stack != null) {
                stack.close();
            }
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
        try (OpenLoopHttp generator = new OpenLoopHttp(connections, maxInFlight)) {
            for (Target target : targets) {
                generator.run(target, rates.get(0), warmup, i -> bodies.body(stepNumber[0], i), this::progress);
                stepNumber[0]++;
            }
            // The targets alternate rate by rate, so that both see the machine as it is at that moment.
            List<Target> searching = new ArrayList<>(targets);
            for (int rate : rates) {
                for (Target target : List.copyOf(searching)) {
                    SelectorTimes before = SelectorTimes.read(metrics, selector);
                    StepResult result = generator.run(target, rate, step, i -> bodies.body(stepNumber[0], i),
                            this::progress);
                    SelectorTimes after = SelectorTimes.read(metrics, selector);
                    result = result.withSelectorTimes(after.meanDecideMicros(before), after.meanLogMillis(before));
                    stepNumber[0]++;
                    steps.add(result);
                    stdout.println(line(result));
                    if (result.holds(p99Goal)) {
                        highest.put(target.name(), rate);
                    }
                    if (!result.keepsUp()) {
                        searching.remove(target);
                    }
                }
                if (searching.isEmpty()) {
                    break;
                }
            }
            if (!hold.isZero()) {
                for (Target target : targets) {
                    Integer rate = highest.get(target.name());
                    if (rate != null) {
                        SelectorTimes before = SelectorTimes.read(metrics, selector);
                        StepResult result = generator.run(target, rate, hold, i -> bodies.body(stepNumber[0], i),
                                this::progress);
                        SelectorTimes after = SelectorTimes.read(metrics, selector);
                        result = result.withSelectorTimes(after.meanDecideMicros(before), after.meanLogMillis(before));
                        stepNumber[0]++;
                        holds.add(result);
                        stdout.println("hold " + line(result));
                    }
                }
            }
        }
        Report report = new Report("http", started.toString(), Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), candidates,
                encoder.contextFeatures(), encoder.candidateFeatures(), encoder.dimension(), encoder.version(),
                p99Goal, steps, highest, holds);
        write(report);
        summary(report);
        boolean failedAtTheStart = targets.stream().anyMatch(t -> steps.stream()
                .filter(s -> s.target().equals(t.name())).findFirst().map(s -> s.errorCount() > 0 || s.ok() == 0)
                .orElse(true));
        if (failedAtTheStart) {
            stderr.println("http: a target had errors at the lowest rate " + rates.get(0) + "/s (see above)");
            return 1;
        }
        return 0;
    }

    private void progress(String target, int rate, double elapsed, double total, long ok, long errors) {
        stderr.printf(Locale.ROOT, "  %-9s %,6d/s  %5.1f / %.0f s  ok %,d  errors %,d%n", target, rate, elapsed, total,
                ok, errors);
    }

    static String line(StepResult r) {
        return String.format(Locale.ROOT, "%-9s offered %,6d/s answered %,8.0f/s  p50 %7.2f  p90 %7.2f  p99 %8.2f"
                        + "  p99.9 %8.2f  max %8.2f ms  errors %d%s%s", r.target(), r.offered(), r.answered(), r.p50(),
                r.p90(), r.p99(), r.p999(), r.max(), r.errorCount(), r.errors().isEmpty() ? "" : " " + r.errors(),
                Double.isNaN(r.decideMicros()) ? "" : String.format(Locale.ROOT,
                        "  (selector: decide %.0f us, Kafka ack %.2f ms on average)", r.decideMicros(), r.logMillis()));
    }

    private void write(Report report) throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve("http-load.json");
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter().writeValue(json.toFile(), report);
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String target : List.of("baseline", "decisions")) {
            List<StepResult> of = report.steps().stream().filter(s -> s.target().equals(target)).toList();
            double[] x = of.stream().mapToDouble(StepResult::offered).toArray();
            series.put(target + " p50", new double[][] {x, of.stream().mapToDouble(StepResult::p50).toArray()});
            series.put(target + " p99", new double[][] {x, of.stream().mapToDouble(StepResult::p99).toArray()});
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
