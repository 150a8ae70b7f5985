package io.vitrine.evaluation;

import io.vitrine.quality.Charts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vitrine evaluate-coverage}: the coverage study of the estimators, written to OUT/evaluation.md. */
@Command(name = "evaluate-coverage", mixinStandardHelpOptions = true,
        description = {"Checks the off-policy estimators on simulated logs with known ground truth: logs of a "
                + "uniform and of a Thompson-sampling logging policy at several sizes, many times over; for "
                + "three target policies, how often each estimator's bootstrap interval covers the true value "
                + "and how far its estimates fall. Writes OUT/evaluation.md and plots under OUT/evaluation/.",
                "Progress goes to stderr, a summary to stdout. Exit code 0 when every log was evaluated."},
        footer = "Regenerate docs/evaluation.md: ./vitrine evaluate-coverage --out docs")
public final class CoverageCommand implements Callable<Integer> {

    static final String NOTES_START = "<!-- notes: kept when this page is regenerated -->";
    static final String NOTES_END = "<!-- end of notes -->";

    @Option(names = "--repetitions", defaultValue = "100", description = "Logs per logging policy and size (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = "--sizes", split = ",", defaultValue = "500,1000,2000,4000",
            description = "Log sizes in rounds (default: ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--propensity-draws", defaultValue = "1000",
            description = "Monte Carlo draws behind each propensity the Thompson logger logs (default: ${DEFAULT-VALUE}).")
    int propensityDraws;

    @Option(names = "--exploration", defaultValue = "0.1",
            description = "Share of the Thompson logger's decisions taken uniformly at random, as the selector's "
                    + "vitrine.selector.exploration does (default: ${DEFAULT-VALUE}).")
    double exploration;

    @Option(names = "--threads", defaultValue = "2", description = "Logs evaluated at the same time (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", defaultValue = "docs", paramLabel = "DIR",
            description = "Where evaluation.md and evaluation/ are written (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin
    EstimatorOptions estimation;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CoverageCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        CoverageStudy.Settings settings;
        try {
            settings = new CoverageStudy.Settings(repetitions, sizes, estimation.replicates, estimation.level,
                    estimation.clip, estimation.ridge, propensityDraws, exploration, 200_000, estimation.seed,
                    threads);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int total = CoverageStudy.LOGGING.size() * sizes.size() * repetitions;
        err.printf(Locale.ROOT, "evaluate-coverage: %d logs (%s logging x sizes %s x %d repetitions) on %d threads%n",
                total, String.join(" / ", CoverageStudy.LOGGING), sizes, repetitions, threads);
        long start = System.nanoTime();
        List<CoverageStudy.Cell> cells = CoverageStudy.run(settings, done -> {
            if (done % Math.max(1, total / 20) == 0 || done == total) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                err.printf(Locale.ROOT, "  %d/%d logs evaluated, %.0f s, about %.0f s left%n", done, total, elapsed,
                        elapsed / done * (total - done));
                err.flush();
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        Path page = write(cells, settings, seconds);
        summary(stdout, cells);
        stdout.printf(Locale.ROOT, "%d logs in %.0f s; wrote %s%n", total, seconds, page);
        stdout.flush();
        return 0;
    }

    private Path write(List<CoverageStudy.Cell> cells, CoverageStudy.Settings s, double seconds) throws Exception {
        Path plots = out.resolve("evaluation");
        Files.createDirectories(plots);
        StringBuilder md = new StringBuilder();
        md.append("# Offline evaluation: do the estimators cover the truth?\n\n")
          .append("Every estimator of the `evaluation` module checked on logs whose ground truth is known. This page\n")
          .append("and the plots under `docs/evaluation/` are written by:\n\n```\n")
          .append(String.format(Locale.ROOT, "./vitrine evaluate-coverage --repetitions %d --sizes %s --replicates %d "
                  + "--level %s --clip %s --ridge %s --propensity-draws %d --exploration %s --seed %d --threads %d --out %s%n",
                  s.repetitions(),
                  String.join(",", s.sizes().stream().map(String::valueOf).toList()), s.replicates(),
                  Diagnostics.format(s.level()), Diagnostics.format(s.clip()), Diagnostics.format(s.ridge()),
                  s.propensityDraws(), Diagnostics.format(s.exploration()), s.seed(), s.threads(), out))
          .append("```\n\n")
          .append("- Generated: ").append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z",
                  Locale.ROOT))).append('\n')
          .append(String.format(Locale.ROOT, "- Machine: %d cores visible to the JVM, %s %s, %s %s%n",
                  Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                  System.getProperty("os.arch"), System.getProperty("java.vm.name"), System.getProperty("java.version")))
          .append(String.format(Locale.ROOT, "- Run time: %.0f s with %d threads%n%n", seconds, s.threads()));
        md.append(String.format(Locale.ROOT, "The world (`LinearClickWorld`): %d actions, contexts x ~ N(0, I_%d), click "
                        + "probability p_a(x) = clamp(0.2 + offset_a + 0.06 w_a · x, 0.02, 0.98). Logging policies: "
                        + "uniform (propensity 1/%d) and linear Thompson sampling per action, learning as it logs, with "
                        + "a share %s of uniform exploration; its propensities are the mixture's, epsilon / K + "
                        + "(1 - epsilon) p, with Thompson's p estimated by Monte Carlo as the selector does (the "
                        + "decision's draw and %d more). The direct method's and doubly robust's reward model is "
                        + "fitted with inverse-propensity weights (`RidgeRewardModel`). Target policies are fixed; their true values come from %,d fresh "
                        + "contexts. Each cell: %d independent logs; an interval is the %s%% studentized bootstrap "
                        + "over %d replicates (for replay, whose rewards here are clicks, Wilson's score interval of its matched rounds; `Replay`, `Bootstrap`). Coverage is the share of logs whose interval holds the true value; "
                        + "a log where an estimator gives no value (replay without a match) counts as not covered.%n%n",
                CoverageStudy.ACTIONS, CoverageStudy.DIMENSION, CoverageStudy.ACTIONS,
                Diagnostics.format(s.exploration()), s.propensityDraws(), s.truthContexts(), s.repetitions(), Diagnostics.format(100 * s.level()),
                s.replicates()));
        Map<String, Double> truths = CoverageStudy.truths(s);
        md.append("| target policy | true value |\n|---|---:|\n");
        truths.forEach((name, value) -> md.append(String.format(Locale.ROOT, "| %s | %.4f |%n", name, value)));
        md.append('\n');

        Set<String> estimators = new LinkedHashSet<>();
        Set<String> targets = new LinkedHashSet<>();
        cells.forEach(c -> {
            estimators.add(c.estimator());
            targets.add(c.target());
        });
        for (String logging : CoverageStudy.LOGGING) {
            md.append("## Logged by ").append(logging).append("\n\n");
            md.append("Coverage (share of logs whose interval holds the truth), per target policy and log size:\n\n");
            md.append("| estimator |");
            for (String target : targets) {
                for (int size : s.sizes()) {
                    md.append(' ').append(shortName(target)).append(", n = ").append(size).append(" |");
                }
            }
            md.append("\n|---|").append("---:|".repeat(targets.size() * s.sizes().size())).append('\n');
            for (String estimator : estimators) {
                md.append("| ").append(estimator).append(" |");
                for (String target : targets) {
                    for (int size : s.sizes()) {
                        CoverageStudy.Cell c = find(cells, logging, size, target, estimator);
                        double coverage = c.covered() / (double) c.repetitions();
                        md.append(String.format(Locale.ROOT, " %s%.0f%%%s |", coverage >= 0.9 ? "" : "**",
                                100 * coverage, coverage >= 0.9 ? "" : "**"));
                    }
                }
                md.append('\n');
            }
            md.append("\nBold: below 90%. Root mean square error against the truth, averaged over the target "
                    + "policies:\n\n");
            md.append("| estimator |");
            for (int size : s.sizes()) {
                md.append(" n = ").append(size).append(" |");
            }
            md.append("\n|---|").append("---:|".repeat(s.sizes().size())).append('\n');
            Map<String, double[][]> series = new LinkedHashMap<>();
            for (String estimator : estimators) {
                md.append("| ").append(estimator).append(" |");
                double[] x = new double[s.sizes().size()];
                double[] y = new double[s.sizes().size()];
                for (int i = 0; i < s.sizes().size(); i++) {
                    int size = s.sizes().get(i);
                    double sum = 0;
                    for (String target : targets) {
                        sum += find(cells, logging, size, target, estimator).rmse();
                    }
                    x[i] = size;
                    y[i] = sum / targets.size();
                    md.append(String.format(Locale.ROOT, " %.4f |", y[i]));
                }
                md.append('\n');
                series.put(estimator, new double[][] {x, y});
            }
            String file = "rmse-" + (logging.equals("uniform") ? "uniform" : "thompson") + ".png";
            Charts.line(plots.resolve(file), "Estimation error against log size, logged by " + logging,
                    String.format(Locale.ROOT, "root mean square error over %d logs, mean over %d target policies",
                            s.repetitions(), targets.size()),
                    "rounds in the log", "RMSE of the estimated value", series, true, true);
            md.append("\n![Error against log size, logged by ").append(logging).append("](evaluation/").append(file)
                    .append(")\n\n");
        }
        Path page = out.resolve("evaluation.md");
        if (Files.exists(page)) {
            String old = Files.readString(page);
            int from = old.indexOf(NOTES_START);
            int to = old.indexOf(NOTES_END);
            if (from >= 0 && to > from) {
                md.append(old, from, to + NOTES_END.length()).append('\n');
            }
        }
        Files.writeString(page, md.toString());
        return page;
    }

    private static String shortName(String target) {
        int paren = target.indexOf(" (");
        String base = paren > 0 ? target.substring(0, paren) : target;
        return base.replace(" on a noisy model", "").replace(" of the true model", "");
    }

    private static CoverageStudy.Cell find(List<CoverageStudy.Cell> cells, String logging, int size, String target,
                                           String estimator) {
        return cells.stream().filter(c -> c.logging().equals(logging) && c.size() == size
                && c.target().equals(target) && c.estimator().equals(estimator)).findFirst().orElseThrow();
    }

    private static void summary(PrintWriter out, List<CoverageStudy.Cell> cells) {
        Map<String, List<Double>> byEstimator = new LinkedHashMap<>();
        for (CoverageStudy.Cell c : cells) {
            byEstimator.computeIfAbsent(c.logging() + " / " + c.estimator(), k -> new ArrayList<>())
                    .add(c.covered() / (double) c.repetitions());
        }
        out.println();
        out.printf(Locale.ROOT, "%-45s %10s %10s%n", "logging / estimator", "min cov.", "mean cov.");
        byEstimator.forEach((name, values) -> out.printf(Locale.ROOT, "%-45s %9.0f%% %9.0f%%%n", name,
                100 * values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                100 * values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
        out.println();
    }
}
