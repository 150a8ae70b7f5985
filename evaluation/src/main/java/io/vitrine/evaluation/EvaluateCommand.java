package io.vitrine.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vitrine.core.policy.ApprenticeComparison;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vitrine evaluate}: off-policy estimates of target policies from a log file. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Estimates what target policies would have earned on a log of bandit feedback, with every estimator (replay, IPS, clipped IPS, SNIPS, direct method, doubly "
                + "robust), bootstrap intervals and the diagnostics of the importance weights.",
                "The log is either Vitrine's own: its decisions and rewards, read from the topics over a time range "
                + "(--bootstrap-servers, --from, --to) or from Avro container files of Decision and Reward records; "
                + "or a flat log of action ids as tools write it: CSV or TSV with a header (pandas, R, Spark: index "
                + "column, quoting, CRLF, byte order mark), JSON Lines, Parquet, an Avro container file of flat "
                + "records, or a Decision Service / Personalizer log (DSJSON); CSV and JSON Lines may be gzipped.",
                "The default column names of flat logs are those of the common public layout (item_id, click, "
                + "propensity_score, position, user_feature_*); change them with the --*-column options. Columns "
                + "not mapped (an index column, timestamps, affinities) are not read. --item-features joins a file "
                + "of the actions' features by action id.",
                "Progress goes to stderr, the table to stdout, JSON to --json. Exit code 0 on success, 1 when the "
                + "log cannot be read (the message names the line or record), 2 on bad options."})
public final class EvaluateCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "0..*",
            description = "The log: one .csv, .tsv, .jsonl, .json (JSON Lines or DSJSON), .parquet or flat .avro file "
                    + "(text formats also gzipped, .gz); or Avro container files of Vitrine's Decision and Reward "
                    + "records (as many as needed).")
    List<Path> files = List.of();

    @Mixin
    TopicOptions topics;

    // Commas inside brackets belong to a policy's settings: vitrine[lambda=2,half-life=5000].
    @Option(names = "--policy", defaultValue = "uniform,logging", split = ",(?![^\\[]*\\])",
            description = "Target policies: uniform, always:<action>, logging; from outside: "
                    + "probabilities:FILE (per-round action probabilities: round, action[, position], probability), "
                    + "distribution[a=p,...] or distribution:FILE (action[, position], probability), scores:FILE "
                    + "(round, action[, position], score: the best-scored action); learning ones replayed in log "
                    + "order (bernoulli-ts[batch=..,a0=..,b0=..], neural-linear, linear-ts, linucb, epsilon-greedy), "
                    + "and Vitrine's own shared form "
                    + "on Vitrine's logs: vitrine or vitrine[lambda=..,a0=..,b0=..,half-life=..,exploration=..,"
                    + "scope=slot|global,encoder=FILE.onnx,draws=..] (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--action-column", defaultValue = "item_id", description = "Action id column (default: ${DEFAULT-VALUE}).")
    String actionColumn;

    @Option(names = "--reward-column", defaultValue = "click", description = "Reward column (default: ${DEFAULT-VALUE}).")
    String rewardColumn;

    @Option(names = "--propensity-column", defaultValue = "propensity_score",
            description = "Logging propensity column (default: ${DEFAULT-VALUE}).")
    String propensityColumn;

    @Option(names = "--position-column", defaultValue = "position",
            description = "Position (slot) column, read when the log has it (default: ${DEFAULT-VALUE}).")
    String positionColumn;

    @Option(names = "--item-features", paramLabel = "FILE",
            description = "The actions' features, one row per action id (as item_context.csv of the public layout), "
                    + "joined with the log by action id; any format the log may have.")
    Path itemFeatures;

    @Option(names = "--item-feature-prefix", defaultValue = "item_feature_",
            description = "Columns of the item features file starting with this are features (default: ${DEFAULT-VALUE}).")
    String itemFeaturePrefix;

    @Option(names = "--segment-column", split = ",", paramLabel = "COLUMN",
            description = "Also estimate on each value of these columns (segments: device, country, ...).")
    List<String> segmentColumns = List.of();

    @Option(names = "--time-bucket", paramLabel = "hour|day|week",
            description = "Also estimate on each hour, day or week of the timestamp column.")
    String timeBucket;

    @Option(names = "--timestamp-column", defaultValue = "timestamp",
            description = "Timestamp column for --time-bucket (default: ${DEFAULT-VALUE}).")
    String timestampColumn;

    @Option(names = "--context-prefix", defaultValue = "user_feature_",
            description = "Columns starting with this are context features (default: ${DEFAULT-VALUE}).")
    String contextPrefix;

    @Option(names = "--context-columns", split = ",", description = "Explicit context columns (instead of the prefix).")
    List<String> contextColumns = List.of();

    @Option(names = "--actions", description = "Size of the action set (default: the largest action id plus one).")
    Integer actions;

    @Option(names = "--lenient", description = "Skip and count unusable rows instead of stopping at the first.")
    boolean lenient;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a report with plots (estimates, running estimates, propensities) to FILE.")
    Path html;

    @Mixin
    EstimatorOptions estimation;

    @Spec
    CommandSpec spec;

    /** The command alone, on the evaluation module's classpath (what {@code ./vitrine evaluate} runs). */
    public static void main(String[] args) {
        System.exit(new CommandLine(new EvaluateCommand()).execute(args));
    }

    /** Everything the JSON output holds. */
    public record Output(String file, int rounds, int skipped, List<String> skipReasons,
                         List<Evaluator.PolicyReport> policies, List<Slices.PageReport> page,
                         List<Slices.SliceReport> slices, ApprenticeComparison.Report apprentice) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        List<TargetPolicy> targets = new ArrayList<>();
        try {
            for (String name : policies) {
                targets.add(TargetPolicies.parse(name.trim(), estimation.seed));
            }
        } catch (IllegalArgumentException e) {
            closeAll(targets);
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            return evaluate(targets, err, out);
        } finally {
            closeAll(targets);
        }
    }

    private static void closeAll(List<TargetPolicy> targets) throws Exception {
        for (TargetPolicy target : targets) {
            if (target instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    private int evaluate(List<TargetPolicy> targets, PrintWriter err, PrintWriter out) throws Exception {
        long started = System.nanoTime();
        LogReader.Result log;
        String source;
        String skippedUnit = "rewards"; // what a skipped item of the log is
        VitrineLog.Result vitrineLog = null; // Vitrine's own log, which may hold rounds decided in apprentice mode
        try {
            if (topics.reading()) {
                if (!files.isEmpty()) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "read either files or topics (--bootstrap-servers), not both");
                }
                source = topics.describe();
                vitrineLog = topics.read(line -> progress(err, line));
                log = fromVitrine(vitrineLog);
            } else if (files.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "no log: name a file, or the topics with --bootstrap-servers, --from and --to");
            } else if (files.stream().allMatch(VitrineLogSources::holdsVitrineRecords)) {
                source = files.size() == 1 ? files.get(0).toString() : files.size() + " Avro files";
                vitrineLog = VitrineLogSources.readFiles(files, line -> progress(err, line));
                log = fromVitrine(vitrineLog);
            } else if (files.size() == 1) {
                source = files.get(0).toString();
                skippedUnit = "rows";
                ColumnMapping mapping = new ColumnMapping(actionColumn, rewardColumn, propensityColumn,
                        positionColumn, contextPrefix, contextColumns, Optional.ofNullable(actions));
                ItemFeatures items = itemFeatures == null ? null
                        : ItemFeatures.read(itemFeatures, actionColumn, itemFeaturePrefix);
                SliceColumns sliceColumns = new SliceColumns(segmentColumns, timestampColumn, timeBucket);
                log = new LogReader(mapping, lenient, items, sliceColumns).read(files.get(0));
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "several files are read only when "
                        + "all are Avro files of Vitrine's Decision and Reward records; a flat log is one file");
            }
        } catch (LogFormatException | IllegalArgumentException | IllegalStateException
                 | org.apache.kafka.common.KafkaException e) {
            err.println("evaluate: " + e.getMessage());
            return 1;
        }
        err.printf(Locale.ROOT, "evaluate: %,d rounds read from %s in %.1f s%s%n", log.rounds().size(), source,
                seconds(started),
                log.skipped() > 0 ? String.format(Locale.ROOT, " (%,d %s skipped, e.g. %s)", log.skipped(), skippedUnit,
                        log.skipReasons().get(0)) : "");
        if (log.rounds().isEmpty()) {
            err.println("evaluate: no usable round in " + source);
            return 1;
        }
        Evaluator evaluator = new Evaluator(Evaluator.standardEstimators(estimation.clip),
                new Bootstrap(estimation.replicates, estimation.level), estimation.clip, estimation.rewardModel,
                estimation.ridge);
        RewardModels models;
        try {
            models = evaluator.fit(log.rounds());
        } catch (IllegalArgumentException e) {
            err.println("evaluate: " + e.getMessage());
            return 1;
        }
        err.printf(Locale.ROOT, "evaluate: reward model: %s (%.1f s)%n", models.description(), seconds(started));
        ApprenticeComparison.Report apprentice = vitrineLog == null ? null
                : ApprenticeComparison.of(vitrineLog.apprenticeRounds());
        if (apprentice != null && apprentice.unbiased()) {
            // With the incumbent's propensities every estimator applies to Vitrine's would-be choices; without them
            // they would only re-weigh the matched rounds, which ApprenticeComparison reports, flagged.
            targets = new ArrayList<>(targets);
            targets.add(new WouldChooseTarget(vitrineLog.apprentice()));
        }
        List<Evaluator.PolicyReport> reports = new ArrayList<>();
        List<ScoredRound[]> scored = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            TargetPolicy target = targets.get(i);
            err.printf(Locale.ROOT, "  [%d/%d] %s ... (%.1f s)%n", i + 1, targets.size(), target.name(),
                    seconds(started));
            err.flush();
            try {
                scored.add(Evaluator.score(log.rounds(), target, estimation.seed, models));
                reports.add(evaluator.evaluate(target.name(), scored.get(i), estimation.seed));
            } catch (IllegalArgumentException e) {
                err.println("evaluate: " + e.getMessage());
                return 1;
            }
        }
        Map<String, String[]> dimensions = Slices.dimensions(log.rounds(), log.slices());
        List<String> names = reports.stream().map(Evaluator.PolicyReport::policy).toList();
        List<String> tooMany = new ArrayList<>();
        List<Slices.SliceReport> slices = Slices.evaluate(evaluator, dimensions, names, scored, estimation.seed,
                tooMany);
        for (String dimension : tooMany) {
            err.println("evaluate: not sliced by " + dimension);
        }
        List<Slices.PageReport> page = Slices.page(slices, names);
        err.printf(Locale.ROOT, "evaluate: %d targets, %d estimators, %,d bootstrap replicates, %d slices in %.1f s%n",
                targets.size(), evaluator.estimators().size(), estimation.replicates, slices.size(),
                seconds(started));
        print(out, reports);
        printApprentice(out, apprentice);
        printSlices(out, page, slices);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(),
                    new Output(source, log.rounds().size(), log.skipped(), log.skipReasons(), reports, page, slices,
                            apprentice));
            out.println("wrote " + json);
        }
        if (html != null) {
            HtmlReport.write(html, source, log.rounds(), scored, reports, page, slices);
            out.println("wrote " + html);
        }
        out.flush();
        return 0;
    }

    /**
     * Vitrine's joined log in the flat reader's terms. Rewards left out of the join are always counted, never
     * fatal: a time range cuts some decisions from their rewards by its nature.
     */
    private static LogReader.Result fromVitrine(VitrineLog.Result joined) {
        List<String> reasons = new ArrayList<>();
        joined.skipped().forEach((reason, count) -> reasons.add(count + " x " + reason));
        return new LogReader.Result(joined.rounds(), joined.skippedTotal(), reasons);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void progress(PrintWriter err, String line) {
        err.println("  " + line);
        err.flush();
    }

    /** Vitrine beside the incumbent of the rounds decided in apprentice mode, when the log has any. */
    private static void printApprentice(PrintWriter out, ApprenticeComparison.Report report) {
        if (report == null) {
            return;
        }
        out.printf(Locale.ROOT, "apprentice mode: %,d rewarded rounds, Vitrine agreed with the incumbent on %,d%n",
                report.rounds(), report.agreed());
        printComparison(out, "incumbent click rate", report.incumbent());
        printComparison(out, "agreement", report.agreement());
        if (report.vitrine() == null) {
            out.println("  vitrine click rate       not estimable: no round where Vitrine agreed with the incumbent");
        } else {
            printComparison(out, "vitrine click rate", report.vitrine());
        }
        out.println("  " + report.note());
        out.println();
    }

    private static void printComparison(PrintWriter out, String what, ApprenticeComparison.Estimate e) {
        out.printf(Locale.ROOT, "  %-24s %9.5f   [%.5f, %.5f]  (%s, 95%%)%n", what, e.value(), e.low(), e.high(),
                e.estimator());
    }

    /** The whole page and the slices: one line per slice, target and estimator. */
    private static void printSlices(PrintWriter out, List<Slices.PageReport> page, List<Slices.SliceReport> slices) {
        for (Slices.PageReport report : page) {
            out.printf(Locale.ROOT, "%s, whole page (sum over %d positions)%n", report.policy(), report.positions());
            for (Evaluator.Estimate e : report.estimates()) {
                printEstimate(out, e);
            }
        }
        String dimension = null;
        for (Slices.SliceReport slice : slices) {
            if (!slice.dimension().equals(dimension)) {
                dimension = slice.dimension();
                out.printf(Locale.ROOT, "%nby %s%n", dimension);
            }
            for (Evaluator.PolicyReport report : slice.policies()) {
                out.printf(Locale.ROOT, "%s = %s, %s  (%,d rounds; effective sample %,.0f)%n", dimension,
                        slice.value(), report.policy(), slice.rounds(), report.diagnostics().effectiveSize());
                for (Evaluator.Estimate e : report.estimates()) {
                    printEstimate(out, e);
                }
            }
        }
        if (!slices.isEmpty() || !page.isEmpty()) {
            out.println();
        }
    }

    private static void printEstimate(PrintWriter out, Evaluator.Estimate e) {
        if (e.untrusted() == null) {
            out.printf(Locale.ROOT, "  %-24s %9.5f   [%.5f, %.5f]%n", e.estimator(), e.value(), e.low(), e.high());
        } else {
            out.printf(Locale.ROOT, "  %-24s %9.5f   no interval to trust: %s%n", e.estimator(), e.value(),
                    e.untrusted());
        }
    }

    private void print(PrintWriter out, List<Evaluator.PolicyReport> reports) {
        for (Evaluator.PolicyReport report : reports) {
            Diagnostics d = report.diagnostics();
            out.printf(Locale.ROOT, "%n%s  (effective sample %,.0f of %,d; smallest propensity %.4g; largest weight "
                            + "%.4g; %.1f%% of weights above the clip; replay kept %,d rounds)%n", report.policy(),
                    d.effectiveSize(), d.rounds(), d.smallestPropensity(), d.largestWeight(), 100 * d.shareClipped(),
                    d.replayMatches());
            for (Evaluator.Estimate e : report.estimates()) {
                printEstimate(out, e);
            }
        }
        out.println();
    }
}
