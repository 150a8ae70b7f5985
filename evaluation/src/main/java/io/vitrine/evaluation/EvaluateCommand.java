package io.vitrine.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
        description = {"Estimates what target policies would have earned on a log of bandit feedback (CSV with a "
                + "header, or JSONL), with every estimator (replay, IPS, clipped IPS, SNIPS, direct method, doubly "
                + "robust), bootstrap intervals and the diagnostics of the importance weights.",
                "The default column names are those of the common public layout (item_id, click, "
                + "propensity_score, user_feature_*); change them with the --*-column options. Other columns "
                + "(timestamp, position, affinities) are not read.",
                "Progress goes to stderr, the table to stdout, JSON to --json. Exit code 0 on success, 1 when the "
                + "file cannot be read as mapped (the message names the line), 2 on bad options."})
public final class EvaluateCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "The log: .csv (with a header line) or .jsonl.")
    Path file;

    @Option(names = "--policy", defaultValue = "uniform,logging", split = ",",
            description = "Target policies: uniform, always:<action>, logging, and learning ones replayed in log "
                    + "order: neural-linear, linear-ts, linucb, epsilon-greedy (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--action-column", defaultValue = "item_id", description = "Action id column (default: ${DEFAULT-VALUE}).")
    String actionColumn;

    @Option(names = "--reward-column", defaultValue = "click", description = "Reward column (default: ${DEFAULT-VALUE}).")
    String rewardColumn;

    @Option(names = "--propensity-column", defaultValue = "propensity_score",
            description = "Logging propensity column (default: ${DEFAULT-VALUE}).")
    String propensityColumn;

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

    /** Everything the JSON output holds. */
    public record Output(String file, int rounds, int skipped, List<String> skipReasons,
                         List<Evaluator.PolicyReport> policies) {
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
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ColumnMapping mapping = new ColumnMapping(actionColumn, rewardColumn, propensityColumn, contextPrefix,
                contextColumns, Optional.ofNullable(actions));
        LogReader.Result log;
        try {
            log = new LogReader(mapping, lenient).read(file);
        } catch (LogFormatException e) {
            err.println("evaluate: " + e.getMessage());
            return 1;
        }
        err.printf(Locale.ROOT, "evaluate: %,d rounds read from %s%s%n", log.rounds().size(), file,
                log.skipped() > 0 ? String.format(Locale.ROOT, " (%,d rows skipped, e.g. %s)", log.skipped(),
                        log.skipReasons().get(0)) : "");
        if (log.rounds().isEmpty()) {
            err.println("evaluate: no usable round in " + file);
            return 1;
        }
        Evaluator evaluator = new Evaluator(Evaluator.standardEstimators(estimation.clip, estimation.ridge),
                new Bootstrap(estimation.replicates, estimation.level), estimation.clip);
        List<Evaluator.PolicyReport> reports = new ArrayList<>();
        List<ScoredRound[]> scored = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            TargetPolicy target = targets.get(i);
            err.printf(Locale.ROOT, "  [%d/%d] %s ...%n", i + 1, targets.size(), target.name());
            err.flush();
            try {
                scored.add(Evaluator.score(log.rounds(), target, estimation.seed));
                reports.add(evaluator.evaluate(target.name(), scored.get(i), estimation.seed));
            } catch (IllegalArgumentException e) {
                err.println("evaluate: " + e.getMessage());
                return 1;
            }
        }
        print(out, reports);
        if (json != null) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(),
                    new Output(file.toString(), log.rounds().size(), log.skipped(), log.skipReasons(), reports));
            out.println("wrote " + json);
        }
        if (html != null) {
            HtmlReport.write(html, file.toString(), log.rounds(), scored, reports);
            out.println("wrote " + html);
        }
        out.flush();
        return 0;
    }

    private void print(PrintWriter out, List<Evaluator.PolicyReport> reports) {
        for (Evaluator.PolicyReport report : reports) {
            Diagnostics d = report.diagnostics();
            out.printf(Locale.ROOT, "%n%s  (effective sample %,.0f of %,d; smallest propensity %.4g; largest weight "
                            + "%.4g; %.1f%% of weights above the clip; replay kept %,d rounds)%n", report.policy(),
                    d.effectiveSize(), d.rounds(), d.smallestPropensity(), d.largestWeight(), 100 * d.shareClipped(),
                    d.replayMatches());
            for (Evaluator.Estimate e : report.estimates()) {
                out.printf(Locale.ROOT, "  %-24s %9.5f   [%.5f, %.5f]%n", e.estimator(), e.value(), e.low(), e.high());
            }
        }
        out.println();
    }
}
