package io.vitrine.quality;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vitrine.world.Intercept;
import io.vitrine.world.WorldSpec;
import java.io.IOException;
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
import java.util.Optional;
import java.util.Set;

/** Writes {@code quality.md}, the PNG plots and a JSON file with every number of a quality run. */
public final class Report {

    /** The machine a run was measured on. */
    public record Machine(String cpu, int processors, String os, String java) {
        public static Machine current() {
            String cpu = "unknown CPU";
            try {
                Path info = Path.of("/proc/cpuinfo");
                if (Files.isReadable(info)) {
                    cpu = Files.readAllLines(info).stream().filter(l -> l.startsWith("model name"))
                            .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
                }
            } catch (IOException | RuntimeException e) {
                // The CPU name is decoration; the report stands without it.
            }
            return new Machine(cpu, Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                    System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        }

        @Override
        public String toString() {
            return cpu + ", " + processors + " cores visible to the JVM, " + os + ", " + java;
        }
    }

    /** Everything the JSON file holds. */
    public record Document(String generated, Machine machine, String command, double seconds, Settings settings,
                           List<Summary> summaries, List<RunResult> runs) {
    }

    private static final String PLOTS = "quality";
    /** Markers of the hand-written part of quality.md, kept when the page is regenerated. */
    static final String NOTES_START = "<!-- notes: kept when this page is regenerated -->";
    static final String NOTES_END = "<!-- end of notes -->";

    private Report() {
    }

    /** Writes {@code out/quality.md}, {@code out/quality/*.png} and {@code out/quality/quality.json}. */
    public static List<Path> write(Path out, Document document) throws IOException {
        Path plots = out.resolve(PLOTS);
        Files.createDirectories(plots);
        List<Path> written = new ArrayList<>();
        Path json = plots.resolve("quality.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), document);
        written.add(json);
        StringBuilder md = new StringBuilder();
        header(md, document);
        if (document.settings().wheel()) {
            Path png = plots.resolve("wheel.png");
            wheelChart(png, document);
            written.add(png);
            if (document.settings().longWheelRounds() > 0) {
                Path longPng = plots.resolve("wheel-long.png");
                wheelChart(longPng, document, document.settings().longDeltas(), longGroups(document.settings()),
                        document.settings().longWheelRounds(), document.settings().longSeeds());
                written.add(longPng);
            }
            wheel(md, document);
        }
        if (document.settings().images()) {
            Path ctr = plots.resolve("images-ctr.png");
            Path regret = plots.resolve("images-regret.png");
            imageCharts(ctr, regret, document);
            written.add(ctr);
            written.add(regret);
            images(md, document);
        }
        criteria(md, document);
        Path markdown = out.resolve("quality.md");
        // Hand-written analysis between the markers survives regeneration; the numbers around it do not.
        if (Files.exists(markdown)) {
            String old = Files.readString(markdown);
            int from = old.indexOf(NOTES_START);
            int to = old.indexOf(NOTES_END);
            if (from >= 0 && to > from) {
                md.append(old, from, to + NOTES_END.length()).append('\n');
            }
        }
        Files.writeString(markdown, md.toString());
        written.add(0, markdown);
        return written;
    }

    private static void header(StringBuilder md, Document d) {
        md.append("# Quality: the regret of every policy\n\n");
        md.append("Vitrine's neural-linear Thompson sampling against the baselines, on the wheel bandit of Riquelme,\n")
          .append("Tucker and Snoek, *Deep Bayesian Bandits Showdown* (ICLR 2018), and on a synthetic image world\n")
          .append("that plays the product's setting. Every number comes from the `quality` command (module\n")
          .append("`quality/`); this page, the plots under `docs/quality/` and `docs/quality/quality.json` (every run,\n")
          .append("every curve) are written by it:\n\n");
        md.append("```\n").append(d.command()).append("\n```\n\n");
        md.append("- Generated: ").append(d.generated()).append('\n');
        md.append("- Machine: ").append(d.machine()).append('\n');
        md.append(String.format(Locale.ROOT, "- Run time: %s with %d threads (each run single-threaded)%n",
                duration(d.seconds()), d.settings().threads()));
        md.append("- Regret is measured on expected rewards (not on the noisy draws): per round, the best arm's\n")
          .append("  expected reward minus the chosen arm's. Normalised regret = 100 × regret(policy) /\n")
          .append("  regret(Uniform) on the same seed, as in the paper (Uniform = 100, lower is better). A run is\n")
          .append("  deterministic for its seed; every policy faces the same contexts and reward draws on a seed.\n\n");
    }

    private static void wheel(StringBuilder md, Document d) {
        Settings s = d.settings();
        md.append("## Wheel bandit\n\n");
        md.append("As in the reference code (tensorflow/models, `research/deep_contextual_bandits`,\n")
          .append("`sample_wheel_bandit_data` with the parameters of `example_main.py`): context uniform in the unit\n")
          .append("disc, 5 actions paying N(μ, 0.05²) with μ = [1, 1, 1, 1, 1.2]; where ‖x‖ ≥ δ the action of x's\n")
          .append("quadrant pays N(50, 0.01²) instead (x₁>0, x₂>0 → 0; x₁>0, x₂≤0 → 1; x₁≤0, x₂>0 → 2; else 3).\n")
          .append(String.format(Locale.ROOT, "%d decisions per run (`num_contexts` of the reference), %d seeds per δ.%n%n",
                  s.wheelRounds(), s.seeds()));
        md.append("Normalised cumulative regret, mean ± standard deviation over seeds (Uniform = 100, lower is better):\n\n");
        wheelTable(md, d, s.deltas(), wheelGroups(s));
        md.append("The paper's wheel table (arXiv 1802.09127, normalised to Uniform, mean ± standard error over 50\n")
          .append("runs) is not quoted here: its text could not be retrieved from a source at hand, and numbers\n")
          .append("copied from memory would be worse than none. What was checked is the reference code\n")
          .append("(tensorflow/models `research/deep_contextual_bandits`: `neural_linear_sampling.py`,\n")
          .append("`neural_bandit_model.py`, `contextual_dataset.py`, `example_main.py`), which `NeuralLinear (paper)`\n")
          .append("follows: z is the last hidden layer, the posteriors are rebuilt from all data with the new z after\n")
          .append("every retraining, weights start in U(-0.3, 0.3), and the learning-rate decay runs on across\n")
          .append("retrainings (the code's `reset_lr` builds a tensor its optimizer never reads).\n\n");
        md.append("![Wheel bandit: normalised regret against δ](quality/wheel.png)\n\n");
        if (s.longWheelRounds() > 0) {
            md.append(String.format(Locale.ROOT, "### Longer horizon: %,d decisions per run%n%n", s.longWheelRounds()));
            md.append("The same wheels and policies over a longer run. A linear model on the raw context cannot\n")
              .append("represent the rings: its regret per round stays at a floor (it plays the quadrant's arm inside\n")
              .append("the low-reward disc too), while a learned representation can reach zero once it has seen\n")
              .append("enough of the rare outer contexts. This table shows whether and when that happens.\n\n");
            md.append(String.format(Locale.ROOT, "Normalised cumulative regret over %,d decisions, mean ± standard "
                    + "deviation over %d seeds:%n%n", s.longWheelRounds(), s.longSeeds()));
            wheelTable(md, d, s.longDeltas(), longGroups(s));
            md.append("![Wheel bandit, longer horizon: normalised regret against δ](quality/wheel-long.png)\n\n");
        }
    }

    private static List<String> wheelGroups(Settings s) {
        List<String> groups = new ArrayList<>();
        for (double delta : s.deltas()) {
            groups.add(WheelBandit.spec(delta).label());
        }
        return groups;
    }

    private static List<String> longGroups(Settings s) {
        List<String> groups = new ArrayList<>();
        for (double delta : s.longDeltas()) {
            groups.add(s.longGroup(delta));
        }
        return groups;
    }

    private static void wheelTable(StringBuilder md, Document d, List<Double> deltas, List<String> groups) {
        md.append("| Policy |");
        for (double delta : deltas) {
            md.append(String.format(Locale.ROOT, " δ = %s |", trim(delta)));
        }
        md.append("\n|---|").append("---:|".repeat(groups.size())).append('\n');
        for (String policy : policies(d, groups)) {
            md.append("| ").append(policy).append(" |");
            for (String group : groups) {
                md.append(' ').append(find(d, group, policy)
                        .map(c -> String.format(Locale.ROOT, "%.2f ± %.2f", c.normalised().mean(), c.normalised().std()))
                        .orElse("–")).append(" |");
            }
            md.append('\n');
        }
        md.append("| *Uniform's raw cumulative regret* |");
        for (String group : groups) {
            md.append(' ').append(find(d, group, PolicyNames.UNIFORM)
                    .map(c -> String.format(Locale.ROOT, "*%.0f*", c.regret().mean())).orElse("–")).append(" |");
        }
        md.append("\n\n");
    }

    private static void images(StringBuilder md, Document d) {
        Settings s = d.settings();
        WorldSpec w = ImageEnvironmentSpec.defaults().world();
        Intercept.Normal appeal = (Intercept.Normal) w.slotKinds().get(0).intercept();
        md.append("## Image world\n\n");
        md.append(String.format(Locale.ROOT,
                "%d slots with %d images each; every visitor comes to one slot and is offered %d of its images.%n",
                w.slots(), w.imagesPerSlot(), w.offered()));
        md.append(String.format(Locale.ROOT,
                "Click probability sigmoid(%.1f + q_i + tanh(1.5 u) · v_i): u the visitor's hidden %d-vector, v_i and%n",
                appeal.mean(), w.latent()))
          .append("q_i the image's hidden vector and appeal. Policies see noisy views: the context is u plus noise\n")
          .append(String.format(Locale.ROOT,
                  "(σ = %.2f), an image's %d features are v_i and q_i plus noise (σ = %.2f) fixed at arrival. Image%n",
                  w.observation().contextNoise(), w.candidateFeatures(), w.observation().featureNoise()))
          .append(String.format(Locale.ROOT,
                  "vectors and the visitor population drift (correlation half-life %,d decisions); a new image arrives%n",
                  w.dynamics().driftHalfLife()))
          .append(String.format(Locale.ROOT,
                  "every %d decisions on average and retires its slot's oldest image. Rewards are Bernoulli clicks.%n",
                  w.dynamics().arrivalEvery()))
          .append("It is the demo's world (`ImageWorld`, module `world/`) in another shape, `WorldSpec.qualityReport`.\n")
          .append("The oracle plays the largest click probability among the offered images. *Known model, observed\n")
          .append("features* knows the click model but sees only the noisy, stale features: it is the ceiling of any\n")
          .append("feature-based policy.\n\n");
        int window = windowSize(d);
        md.append(String.format(Locale.ROOT,
                "%,d decisions per run, %d seeds; mean ± standard deviation over seeds. *CTR / oracle, end* is over the "
                        + "last %,d decisions; *whole run* over all of them.%n%n", s.imageRounds(), s.imageSeeds(), window));
        md.append("| Policy | CTR / oracle, end | CTR / oracle, whole run | CTR | Cumulative regret (clicks) "
                + "| Normalised regret | Seconds per run |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (String policy : policies(d, List.of(Settings.IMAGE_GROUP))) {
            Summary c = find(d, Settings.IMAGE_GROUP, policy).orElseThrow();
            double ctr = d.runs().stream().filter(r -> r.group().equals(Settings.IMAGE_GROUP) && r.policy().equals(policy))
                    .mapToDouble(r -> r.expectedReward() / r.rounds()).average().orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, "| %s | %.1f%% ± %.1f | %.1f%% ± %.1f | %.2f%% | %,.0f ± %,.0f | %.1f ± %.1f | %.0f |%n",
                    policy, 100 * c.finalRatio().mean(), 100 * c.finalRatio().std(), 100 * c.ratio().mean(),
                    100 * c.ratio().std(), 100 * ctr, c.regret().mean(), c.regret().std(), c.normalised().mean(),
                    c.normalised().std(), c.seconds().mean()));
        }
        md.append('\n');
        md.append("![Image world: CTR relative to the oracle over time](quality/images-ctr.png)\n\n");
        md.append("![Image world: cumulative regret](quality/images-regret.png)\n\n");
    }

    private static void criteria(StringBuilder md, Document d) {
        List<String> lines = new ArrayList<>();
        if (d.settings().wheel()) {
            Settings s = d.settings();
            wheelCriterion(lines, d, s.deltas(), wheelGroups(s), String.format(Locale.ROOT, "%,d rounds",
                    s.wheelRounds()));
            if (s.longWheelRounds() > 0) {
                wheelCriterion(lines, d, s.longDeltas(), longGroups(s), String.format(Locale.ROOT, "%,d rounds",
                        s.longWheelRounds()));
            }
        }
        if (d.settings().images()) {
            Optional<Summary> vitrine = find(d, Settings.IMAGE_GROUP, PolicyNames.VITRINE);
            if (vitrine.isPresent()) {
                double end = vitrine.get().finalRatio().mean();
                lines.add(String.format(Locale.ROOT,
                        "Vitrine's neural-linear reaches at least 90%% of the oracle CTR after %,d decisions: %s (%.1f%% "
                                + "over the last %,d decisions).",
                        d.settings().imageRounds(), end >= 0.9 ? "**holds**" : "**does not hold**", 100 * end, windowSize(d)));
                List<String> compared = new ArrayList<>();
                boolean clearly = true;
                for (String other : List.of(PolicyNames.LINEAR_TS_SHARED, PolicyNames.LINEAR_TS_PER_ARM,
                        PolicyNames.LIN_UCB_SHARED, PolicyNames.LIN_UCB_PER_ARM)) {
                    Optional<Summary> o = find(d, Settings.IMAGE_GROUP, other);
                    if (o.isPresent()) {
                        Stats mine = vitrine.get().regret();
                        Stats theirs = o.get().regret();
                        // "Clearly": lower by more than both spreads together.
                        clearly &= mine.mean() + mine.std() + theirs.std() < theirs.mean();
                        compared.add(String.format(Locale.ROOT, "%s %,.0f", other, theirs.mean()));
                    }
                }
                if (!compared.isEmpty()) {
                    lines.add(String.format(Locale.ROOT,
                            "Vitrine's neural-linear has clearly less cumulative regret than linear TS and LinUCB on raw "
                                    + "features: %s (%,.0f vs %s).", clearly ? "**holds**" : "**does not hold**",
                            vitrine.get().regret().mean(), String.join(", ", compared)));
                }
            }
        }
        if (!lines.isEmpty()) {
            md.append("## Criteria\n\n");
            for (String line : lines) {
                md.append("- ").append(line).append('\n');
            }
            md.append('\n');
        }
    }

    /**
     * NeuralLinear (paper) against LinFullPost at δ ≥ 0.9, with the standard error of each mean. A δ counts as a
     * win only when NeuralLinear's mean is lower by more than two standard errors of the difference; a smaller
     * gap is reported as level, since the seeds cannot tell the two apart.
     */
    private static void wheelCriterion(List<String> lines, Document d, List<Double> deltas, List<String> groups,
                                       String horizon) {
        List<String> wins = new ArrayList<>();
        List<String> level = new ArrayList<>();
        List<String> losses = new ArrayList<>();
        for (int i = 0; i < deltas.size(); i++) {
            Optional<Summary> neural = find(d, groups.get(i), PolicyNames.NEURAL_LINEAR_PAPER);
            Optional<Summary> linear = find(d, groups.get(i), PolicyNames.LIN_FULL_POST);
            if (neural.isPresent() && linear.isPresent() && deltas.get(i) >= 0.9) {
                Stats n = neural.get().normalised();
                Stats l = linear.get().normalised();
                double nse = n.std() / Math.sqrt(neural.get().runs());
                double lse = l.std() / Math.sqrt(linear.get().runs());
                String text = String.format(Locale.ROOT, "δ = %s: %.2f ± %.2f vs %.2f ± %.2f", trim(deltas.get(i)),
                        n.mean(), nse, l.mean(), lse);
                double gap = 2 * Math.sqrt(nse * nse + lse * lse);
                (n.mean() < l.mean() - gap ? wins : n.mean() <= l.mean() + gap ? level : losses).add(text);
            }
        }
        if (!wins.isEmpty() || !level.isEmpty() || !losses.isEmpty()) {
            List<String> parts = new ArrayList<>();
            if (!wins.isEmpty()) {
                parts.add("NeuralLinear lower at " + String.join(", ", wins));
            }
            if (!level.isEmpty()) {
                parts.add("level (within two standard errors) at " + String.join(", ", level));
            }
            if (!losses.isEmpty()) {
                parts.add("LinFullPost lower at " + String.join(", ", losses));
            }
            lines.add("NeuralLinear (paper) beats LinFullPost where the non-linearity matters (δ ≥ 0.9), " + horizon
                    + ": " + (level.isEmpty() && losses.isEmpty() ? "**holds**" : "**does not hold**")
                    + " (NeuralLinear vs LinFullPost, mean ± standard error: " + String.join("; ", parts) + ").");
        }
    }

    private static void wheelChart(Path png, Document d) throws IOException {
        wheelChart(png, d, d.settings().deltas(), wheelGroups(d.settings()), d.settings().wheelRounds(),
                d.settings().seeds());
    }

    private static void wheelChart(Path png, Document d, List<Double> deltas, List<String> groups, int rounds,
                                   int seeds) throws IOException {
        Map<String, double[][]> series = new LinkedHashMap<>();
        for (String policy : policies(d, groups)) {
            double[] x = new double[groups.size()];
            double[] y = new double[groups.size()];
            for (int i = 0; i < groups.size(); i++) {
                x[i] = deltas.get(i);
                y[i] = find(d, groups.get(i), policy).map(c -> c.normalised().mean()).orElse(Double.NaN);
            }
            series.put(policy, new double[][] {x, y});
        }
        Charts.line(png, "Wheel bandit: normalised cumulative regret",
                String.format(Locale.ROOT, "mean over %d seeds, %d decisions per run; Uniform = 100, lower is better",
                        seeds, rounds),
                "δ (radius of the low-reward disc)", "normalised cumulative regret", series, false, true);
    }

    private static void imageCharts(Path ctrPng, Path regretPng, Document d) throws IOException {
        Map<String, double[][]> ratio = new LinkedHashMap<>();
        Map<String, double[][]> regret = new LinkedHashMap<>();
        for (String policy : policies(d, List.of(Settings.IMAGE_GROUP))) {
            List<RunResult> runs = d.runs().stream()
                    .filter(r -> r.group().equals(Settings.IMAGE_GROUP) && r.policy().equals(policy)).toList();
            int points = runs.get(0).curveRounds().length;
            double[] x = new double[points];
            double[] meanRatio = new double[points];
            double[] meanRegret = new double[points];
            for (int i = 0; i < points; i++) {
                x[i] = runs.get(0).curveRounds()[i];
                for (RunResult run : runs) {
                    meanRatio[i] += 100 * run.curveRatio()[i] / runs.size();
                    meanRegret[i] += run.curveRegret()[i] / runs.size();
                }
            }
            ratio.put(policy, new double[][] {x, meanRatio});
            if (!policy.equals(PolicyNames.ORACLE)) {
                regret.put(policy, new double[][] {x, meanRegret});
            }
        }
        String subtitle = String.format(Locale.ROOT, "mean over %d seeds; windows of %,d decisions",
                d.settings().imageSeeds(), windowSize(d));
        Charts.line(ctrPng, "Image world: CTR relative to the oracle", subtitle, "decisions",
                "expected CTR / oracle CTR (%)", ratio, false, false);
        Charts.line(regretPng, "Image world: cumulative regret", subtitle, "decisions",
                "cumulative regret (expected clicks lost)", regret, false, false);
    }

    /** Policies in the order of the runs, restricted to the groups. */
    private static List<String> policies(Document d, List<String> groups) {
        Set<String> names = new LinkedHashSet<>();
        for (Summary s : d.summaries()) {
            if (groups.contains(s.group())) {
                names.add(s.policy());
            }
        }
        return new ArrayList<>(names);
    }

    private static Optional<Summary> find(Document d, String group, String policy) {
        return d.summaries().stream().filter(s -> s.group().equals(group) && s.policy().equals(policy)).findFirst();
    }

    private static int windowSize(Document d) {
        return d.runs().stream().filter(r -> r.group().equals(Settings.IMAGE_GROUP)).findFirst()
                .map(r -> r.curveRounds().length > 1 ? r.curveRounds()[r.curveRounds().length - 1]
                        - r.curveRounds()[r.curveRounds().length - 2] : r.rounds())
                .orElse(0);
    }

    static String trim(double value) {
        String text = String.format(Locale.ROOT, "%.4f", value);
        return text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + " s";
    }

    static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT));
    }
}
