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
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vitrine evaluate-coverage}: the coverage study of the estimators, written to OUT/evaluation.md. */
@Command(name = "evaluate-coverage", mixinStandardHelpOptions = true,
        description = {"Checks the off-policy estimators on simulated logs with known ground truth: logs of a "
                + "uniform and of a Thompson-sampling logging policy at several sizes, many times over, with "
                + "clicks about 20%% and sparse clicks (0.5%%); for four target policies (one deterministic), how "
                + "often each estimator's bootstrap interval covers the true value and how far its estimates fall. Writes OUT/evaluation.md and plots under OUT/evaluation/.",
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

    @Option(names = "--sparse-sizes", split = ",", defaultValue = "10000",
            description = "Log sizes in rounds of the world with sparse clicks, 0.5%% (default: ${DEFAULT-VALUE}; "
                    + "none: 0).")
    List<Integer> sparseSizes;

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
            settings = new CoverageStudy.Settings(repetitions, sizes.stream().filter(n -> n > 0).toList(),
                    sparseSizes.stream().filter(n -> n > 0).toList(), estimation.replicates, estimation.level,
                    estimation.clip, estimation.rewardModel, estimation.ridge, propensityDraws, exploration, 200_000,
                    estimation.seed, threads);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        int total = CoverageStudy.LOGGING.size() * (settings.sizes().size() + settings.sparseSizes().size())
                * repetitions;
        err.printf(Locale.ROOT, "evaluate-coverage: %d logs (%s logging x sizes %s, sparse %s x %d repetitions) on "
                + "%d threads%n", total, String.join(" / ", CoverageStudy.LOGGING), settings.sizes(),
                settings.sparseSizes(), repetitions, threads);
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
          .append(String.format(Locale.ROOT, "./vitrine evaluate-coverage --repetitions %d --sizes %s --sparse-sizes %s "
                  + "--replicates %d --level %s --clip %s --reward-model %s --ridge %s --propensity-draws %d "
                  + "--exploration %s --seed %d --threads %d --out %s%n",
                  s.repetitions(), list(s.sizes()), list(s.sparseSizes()), s.replicates(),
                  Diagnostics.format(s.level()), Diagnostics.format(s.clip()),
                  s.rewardModel().name().toLowerCase(Locale.ROOT), Diagnostics.format(s.ridge()),
                  s.propensityDraws(), Diagnostics.format(s.exploration()), s.seed(), s.threads(), out))
          .append("```\n\n")
          .append("- Generated: ").append(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z",
                  Locale.ROOT))).append('\n')
          .append(String.format(Locale.ROOT, "- Machine: %d cores visible to the JVM, %s %s, %s %s%n",
                  Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                  System.getProperty("os.arch"), System.getProperty("java.vm.name"), System.getProperty("java.version")))
          .append(String.format(Locale.ROOT, "- Run time: %.0f s with %d threads%n%n", seconds, s.threads()));
        md.append(String.format(Locale.ROOT, "The world (`LinearClickWorld`): %d actions, contexts x ~ N(0, I_%d), click "
                        + "probability p_a(x) = clamp(0.2 + offset_a + 0.06 w_a · x, 0.02, 0.98), and a sparse world where every "
                        + "probability is scaled by 0.025 (click rate about 0.5%%, as on public logged-bandit data). "
                        + "Logging policies: "
                        + "uniform (propensity 1/%d) and linear Thompson sampling per action, learning as it logs, with "
                        + "a share %s of uniform exploration; its propensities are the mixture's, epsilon / K + "
                        + "(1 - epsilon) p, with Thompson's p estimated by Monte Carlo as the selector does (the "
                        + "decision's draw and %d more). The direct method's and doubly robust's reward model is "
                        + "%s, fitted with inverse-propensity weights and cross-fitted (`RewardModels`). Target policies are fixed; their true values come from %,d fresh "
                        + "contexts. Each cell: %d independent logs; an interval is the %s%% studentized bootstrap "
                        + "over %d replicates (for replay, whose rewards here are clicks, Wilson's score interval of its matched rounds; `Replay`, `Bootstrap`). Coverage is the share of logs whose interval holds the true value; "
                        + "a log where an estimator gives no value (replay without a match) counts as not covered.%n%n",
                CoverageStudy.ACTIONS, CoverageStudy.DIMENSION, CoverageStudy.ACTIONS,
                Diagnostics.format(s.exploration()), s.propensityDraws(), switch (s.rewardModel()) {
                    case AUTO, LOGISTIC -> "a logistic regression shrunk per action, its penalty chosen by "
                            + "cross-validation";
                    case RIDGE -> "a ridge regression per action";
                }, s.truthContexts(), s.repetitions(), Diagnostics.format(100 * s.level()),
                s.replicates()));
        for (String world : CoverageStudy.WORLDS) {
            if (s.sizes(world).isEmpty()) {
                continue;
            }
            md.append("| target policy (").append(world).append(") | true value |\n|---|---:|\n");
            CoverageStudy.truths(s, world).forEach((name, value) -> md.append(String.format(Locale.ROOT,
                    "| %s | %.5f |%n", name, value)));
            md.append('\n');
        }

        Set<String> estimators = new LinkedHashSet<>();
        Set<String> targets = new LinkedHashSet<>();
        cells.forEach(c -> {
            estimators.add(c.estimator());
            targets.add(c.target());
        });
        for (String world : CoverageStudy.WORLDS) {
            List<Integer> sizes = s.sizes(world);
            if (sizes.isEmpty()) {
                continue;
            }
            for (String logging : CoverageStudy.LOGGING) {
                md.append("## ").append(capitalised(world)).append(", logged by ").append(logging).append("\n\n");
                md.append("Coverage (share of logs whose interval holds the truth), per target policy and log size:\n\n");
                md.append("| estimator |");
                for (String target : targets) {
                    for (int size : sizes) {
                        md.append(' ').append(shortName(target)).append(", n = ").append(size).append(" |");
                    }
                }
                md.append("\n|---|").append("---:|".repeat(targets.size() * sizes.size())).append('\n');
                for (String estimator : estimators) {
                    md.append("| ").append(estimator).append(" |");
                    for (String target : targets) {
                        for (int size : sizes) {
                            CoverageStudy.Cell c = find(cells, world, logging, size, target, estimator);
                            double coverage = c.covered() / (double) c.repetitions();
                            boolean outside = coverage < 0.93 || coverage > 0.97;
                            md.append(String.format(Locale.ROOT, " %s%.1f%%%s |", outside ? "**" : "",
                                    100 * coverage, outside ? "**" : ""));
                        }
                    }
                    md.append('\n');
                }
                md.append("\nBold: outside 93% to 97%. Root mean square error against the truth, averaged over the "
                        + "target policies:\n\n");
                md.append("| estimator |");
                for (int size : sizes) {
                    md.append(" n = ").append(size).append(" |");
                }
                md.append("\n|---|").append("---:|".repeat(sizes.size())).append('\n');
                Map<String, double[][]> series = new LinkedHashMap<>();
                for (String estimator : estimators) {
                    md.append("| ").append(estimator).append(" |");
                    double[] x = new double[sizes.size()];
                    double[] y = new double[sizes.size()];
                    for (int i = 0; i < sizes.size(); i++) {
                        int size = sizes.get(i);
                        double sum = 0;
                        for (String target : targets) {
                            sum += find(cells, world, logging, size, target, estimator).rmse();
                        }
                        x[i] = size;
                        y[i] = sum / targets.size();
                        md.append(String.format(Locale.ROOT, " %.5f |", y[i]));
                    }
                    md.append('\n');
                    series.put(estimator, new double[][] {x, y});
                }
                String file = (world.equals(CoverageStudy.DENSE) ? "" : "sparse-") + "rmse-"
                        + (logging.equals("uniform") ? "uniform" : "thompson") + ".png";
                String title = capitalised(world) + ", logged by " + logging;
                if (sizes.size() > 1) {
                    Charts.line(plots.resolve(file), "Estimation error against log size: " + title,
                            String.format(Locale.ROOT, "root mean square error over %d logs, mean over %d target "
                                    + "policies", s.repetitions(), targets.size()),
                            "rounds in the log", "RMSE of the estimated value", series, true, true);
                    md.append("\n![Error against log size: ").append(title).append("](evaluation/").append(file)
                            .append(")\n");
                }
                md.append('\n');
            }
        }
        pooled(md, cells, s.level());
        String coverageFile = "coverage.png";
        coveragePlot(plots.resolve(coverageFile), cells, s);
        md.append("![Coverage of every cell, per estimator](evaluation/").append(coverageFile).append(")\n\n");
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

    /**
     * Each estimator's coverage pooled over the cells of a case: the sparse world, the deterministic target, and
     * every cell. A single cell of 200 logs has a standard error of 1.5 points, so even an exact 95% interval puts
     * about one cell in seven outside 93% to 97%; pooled over hundreds of logs the share is precise to about half a
     * point, which is what says whether an estimator's intervals hold their level. Each share comes with its Wilson
     * interval at the study's level (logs of the same case are independent; cells of other targets reuse the same
     * logs, so the interval is a guide, not exact).
     */
    private static void pooled(StringBuilder md, List<CoverageStudy.Cell> cells, double level) {
        Map<String, Predicate<CoverageStudy.Cell>> cases = new LinkedHashMap<>();
        cases.put("sparse clicks (0.5%)", c -> c.world().equals(CoverageStudy.SPARSE));
        cases.put("deterministic target", c -> c.target().contains("deterministic"));
        cases.put("every cell", c -> true);
        md.append("## Every estimator, pooled\n\n");
        md.append(String.format(Locale.ROOT, "Coverage pooled over the logs of each case, with its %.0f%% Wilson"
                + " interval; bold: the pooled share outside 93%% to 97%%.%n%n", 100 * level));
        md.append("| estimator |");
        cases.keySet().forEach(name -> md.append(' ').append(name).append(" |"));
        md.append("\n|---|").append("---:|".repeat(cases.size())).append('\n');
        Set<String> estimators = new LinkedHashSet<>();
        cells.forEach(c -> estimators.add(c.estimator()));
        for (String estimator : estimators) {
            md.append("| ").append(estimator).append(" |");
            for (Predicate<CoverageStudy.Cell> inCase : cases.values()) {
                int covered = 0;
                int logs = 0;
                for (CoverageStudy.Cell c : cells) {
                    if (c.estimator().equals(estimator) && inCase.test(c)) {
                        covered += c.covered();
                        logs += c.repetitions();
                    }
                }
                if (logs == 0) {
                    md.append(" - |");
                    continue;
                }
                double share = covered / (double) logs;
                double[] interval = Replay.wilson(share, logs, level);
                boolean outside = share < 0.93 || share > 0.97;
                md.append(String.format(Locale.ROOT, " %s%.1f%%%s (%.1f-%.1f, %,d logs) |", outside ? "**" : "",
                        100 * share, outside ? "**" : "", 100 * interval[0], 100 * interval[1], logs));
            }
            md.append('\n');
        }
        md.append('\n');
    }

    private static String shortName(String target) {
        int paren = target.indexOf(" (");
        String base = paren > 0 ? target.substring(0, paren) : target;
        return base.replace(" on a noisy model", "").replace(" of the true model", "");
    }

    private static String list(List<Integer> values) {
        return values.isEmpty() ? "0" : String.join(",", values.stream().map(String::valueOf).toList());
    }

    private static String capitalised(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    /**
     * Every cell's coverage: one column of points per estimator, coloured by world and logging policy, over the
     * band 93% to 97%.
     */
    private static void coveragePlot(Path file, List<CoverageStudy.Cell> cells, CoverageStudy.Settings s)
            throws java.io.IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> estimators = cells.stream().map(CoverageStudy.Cell::estimator).distinct().toList();
        Map<String, org.jfree.data.xy.XYSeries> groups = new LinkedHashMap<>();
        Map<String, Integer> placed = new java.util.HashMap<>();
        for (CoverageStudy.Cell c : cells) {
            String group = capitalised(c.world()) + ", " + c.logging();
            org.jfree.data.xy.XYSeries series = groups.computeIfAbsent(group,
                    g -> new org.jfree.data.xy.XYSeries(g, false, true));
            // Spread a column's points sideways so that equal coverages stay visible.
            int k = placed.merge(c.estimator(), 1, Integer::sum);
            series.add(estimators.indexOf(c.estimator()) - 0.3 + 0.6 * ((k * 0.618034) % 1),
                    100.0 * c.covered() / c.repetitions());
        }
        org.jfree.data.xy.XYSeriesCollection data = new org.jfree.data.xy.XYSeriesCollection();
        groups.values().forEach(data::addSeries);
        org.jfree.chart.axis.SymbolAxis x = new org.jfree.chart.axis.SymbolAxis("estimator",
                estimators.toArray(String[]::new));
        org.jfree.chart.axis.NumberAxis y = new org.jfree.chart.axis.NumberAxis("coverage of the 95% interval (%)");
        y.setAutoRangeIncludesZero(false);
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer renderer =
                new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(false, true);
        java.awt.Color[] colours = {new java.awt.Color(0, 114, 178), new java.awt.Color(213, 94, 0),
            new java.awt.Color(0, 158, 115), new java.awt.Color(204, 121, 167)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, colours[i % colours.length]);
            renderer.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-4, -4, 8, 8));
        }
        org.jfree.chart.plot.XYPlot plot = new org.jfree.chart.plot.XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setRangeGridlinePaint(new java.awt.Color(210, 210, 210));
        org.jfree.chart.plot.IntervalMarker band = new org.jfree.chart.plot.IntervalMarker(93, 97,
                new java.awt.Color(0, 158, 115, 40));
        plot.addRangeMarker(band, org.jfree.chart.ui.Layer.BACKGROUND);
        org.jfree.chart.JFreeChart chart = new org.jfree.chart.JFreeChart("Coverage of the 95% intervals, every cell",
                new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 20), plot, true);
        chart.addSubtitle(new org.jfree.chart.title.TextTitle(String.format(Locale.ROOT,
                "%d logs per cell (standard error %.1f points at 95%%); shaded: 93%% to 97%%", s.repetitions(),
                100 * Math.sqrt(0.95 * 0.05 / s.repetitions())),
                new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14)));
        chart.setBackgroundPaint(java.awt.Color.WHITE);
        org.jfree.chart.ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 650);
    }

    private static CoverageStudy.Cell find(List<CoverageStudy.Cell> cells, String world, String logging, int size,
                                           String target, String estimator) {
        return cells.stream().filter(c -> c.world().equals(world) && c.logging().equals(logging) && c.size() == size
                && c.target().equals(target) && c.estimator().equals(estimator)).findFirst().orElseThrow();
    }

    private static void summary(PrintWriter out, List<CoverageStudy.Cell> cells) {
        Map<String, List<Double>> byEstimator = new LinkedHashMap<>();
        for (CoverageStudy.Cell c : cells) {
            byEstimator.computeIfAbsent(c.world() + " / " + c.logging() + " / " + c.estimator(), k -> new ArrayList<>())
                    .add(c.covered() / (double) c.repetitions());
        }
        out.println();
        out.printf(Locale.ROOT, "%-75s %10s %10s%n", "world / logging / estimator", "min cov.", "mean cov.");
        byEstimator.forEach((name, values) -> out.printf(Locale.ROOT, "%-75s %9.0f%% %9.0f%%%n", name,
                100 * values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                100 * values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)));
        out.println();
    }
}
