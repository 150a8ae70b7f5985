package io.vitrine.quality;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vitrine quality}: every policy's regret on the wheel bandit and the image world, written as docs. */
@Command(name = "quality", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measures the regret of Vitrine's neural-linear Thompson sampling and of the baselines on the wheel"
                    + " bandit (Riquelme et al., ICLR 2018) and on a synthetic image world, over several seeds, and"
                    + " writes OUT/quality.md, plots under OUT/quality/ and OUT/quality/quality.json.",
            "Progress goes to stderr, a summary to stdout. Exit code 0 when every run finished."},
        footer = {"", "Regenerate docs/quality.md: ./vitrine quality --out docs"})
public final class QualityCommand implements Callable<Integer> {

    /** Which environments to run. */
    enum Env { wheel, images, all }

    @Option(names = "--env", defaultValue = "all", paramLabel = "ENV",
            description = "wheel, images or all (default: ${DEFAULT-VALUE}).")
    Env env;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds per wheel δ (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--wheel-long-seeds", description = "Seeds per δ of the longer wheel table (default: the value of --seeds).")
    Integer wheelLongSeeds;

    @Option(names = "--image-seeds", description = "Seeds of the image world (default: the value of --seeds).")
    Integer imageSeeds;

    @Option(names = "--first-seed", defaultValue = "1", description = "First seed; the others follow (default: ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(names = "--deltas", split = ",", defaultValue = "0.5,0.7,0.9,0.95,0.99", paramLabel = "δ",
            description = "Wheel deltas, one table column each (default: ${DEFAULT-VALUE}).")
    List<Double> deltas;

    @Option(names = "--wheel-rounds", defaultValue = "" + WheelBandit.REFERENCE_ROUNDS,
            description = "Decisions per wheel run; 2000 is num_contexts of the reference code (default: ${DEFAULT-VALUE}).")
    int wheelRounds;

    @Option(names = "--wheel-long-rounds", defaultValue = "0",
            description = "Decisions per run of a second wheel table with a longer horizon, where a learned "
                    + "representation has time to pay off; 0 for none (default: ${DEFAULT-VALUE}).")
    int wheelLongRounds;

    @Option(names = "--wheel-long-deltas", split = ",", defaultValue = "0.9,0.95,0.99", paramLabel = "δ",
            description = "Deltas of the longer wheel table (default: ${DEFAULT-VALUE}).")
    List<Double> wheelLongDeltas;

    @Option(names = "--image-rounds", defaultValue = "100000",
            description = "Decisions per image-world run (default: ${DEFAULT-VALUE}).")
    int imageRounds;

    @Option(names = "--threads", defaultValue = "2", description = "Runs played at the same time (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", defaultValue = "docs", paramLabel = "DIR",
            description = "Where quality.md and quality/ are written (default: ${DEFAULT-VALUE}).")
    Path out;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with a one-line error message instead of a stack trace on failure. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new QualityCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("quality: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return cli;
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        Settings settings;
        try {
            settings = new Settings(env != Env.images, env != Env.wheel, seeds, imageSeeds != null ? imageSeeds : seeds,
                    firstSeed, deltas, wheelRounds, imageRounds, threads, wheelLongRounds, wheelLongDeltas,
                    wheelLongSeeds != null ? wheelLongSeeds : seeds);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        List<Task> tasks = settings.tasks(Lineups.wheel(), Lineups.images());
        err.printf(Locale.ROOT, "quality: %d runs on %d threads (%s)%n", tasks.size(), settings.threads(),
                describe(settings));
        long start = System.nanoTime();
        List<RunResult> results = Experiment.run(tasks, settings.threads(), (result, done, total, elapsed, remaining) -> {
            err.printf(Locale.ROOT, "[%3d/%d] %-14s %-32s seed %-3d %8.1f s  regret %12.2f  | elapsed %s, ETA %s%n",
                        done, total, result.group(), result.policy(), result.seed(), result.millis() / 1000.0,
                        result.regret(), clock(elapsed), clock(remaining));
            err.flush();
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Summary> summaries = Summary.of(results);
        Report.Document document = new Report.Document(Report.now(), Report.Machine.current(), commandText(settings),
                seconds, settings, summaries, results);
        List<Path> written = Report.write(out, document);
        printSummary(stdout, summaries, settings);
        stdout.printf(Locale.ROOT, "%d runs in %s; wrote %s%n", results.size(), Report.duration(seconds),
                String.join(", ", written.stream().map(Path::toString).toList()));
        stdout.flush();
        return 0;
    }

    private static void printSummary(PrintWriter out, List<Summary> summaries, Settings settings) {
        String group = null;
        for (Summary s : summaries) {
            if (!s.group().equals(group)) {
                group = s.group();
                out.println();
                out.println(group.equals(Settings.IMAGE_GROUP)
                        ? String.format(Locale.ROOT, "%-32s %14s %16s %12s", group, "normalised", "CTR/oracle end", "regret")
                        : String.format(Locale.ROOT, "%-32s %14s", group, "normalised"));
            }
            if (group.equals(Settings.IMAGE_GROUP)) {
                out.printf(Locale.ROOT, "  %-30s %7.2f ± %5.2f %15.1f%% %12.0f%n", s.policy(), s.normalised().mean(),
                        s.normalised().std(), 100 * s.finalRatio().mean(), s.regret().mean());
            } else {
                out.printf(Locale.ROOT, "  %-30s %7.2f ± %5.2f%n", s.policy(), s.normalised().mean(), s.normalised().std());
            }
        }
        out.println();
    }

    private static String describe(Settings s) {
        StringBuilder text = new StringBuilder();
        if (s.wheel()) {
            text.append(String.format(Locale.ROOT, "wheel: %d δ x %d seeds x %d policies x %,d decisions",
                    s.deltas().size(), s.seeds(), Lineups.wheel().size(), s.wheelRounds()));
            if (s.longWheelRounds() > 0) {
                text.append(String.format(Locale.ROOT, " + %d δ x %d seeds x %d policies x %,d decisions",
                        s.longDeltas().size(), s.longSeeds(), Lineups.wheel().size(), s.longWheelRounds()));
            }
        }
        if (s.images()) {
            text.append(text.length() > 0 ? "; " : "").append(String.format(Locale.ROOT,
                    "image world: %d seeds x %d policies x %,d decisions", s.imageSeeds(), Lineups.images().size(),
                    s.imageRounds()));
        }
        return text.toString();
    }

    /** The command line that reproduces this run, every setting spelled out. */
    private String commandText(Settings s) {
        StringBuilder text = new StringBuilder("./vitrine quality --env ").append(env);
        if (s.wheel()) {
            text.append(" --seeds ").append(s.seeds()).append(" --deltas ")
                    .append(String.join(",", s.deltas().stream().map(Report::trim).toList()))
                    .append(" --wheel-rounds ").append(s.wheelRounds());
            if (s.longWheelRounds() > 0) {
                text.append(" --wheel-long-rounds ").append(s.longWheelRounds()).append(" --wheel-long-deltas ")
                        .append(String.join(",", s.longDeltas().stream().map(Report::trim).toList()))
                        .append(" --wheel-long-seeds ").append(s.longSeeds());
            }
        }
        if (s.images()) {
            text.append(" --image-seeds ").append(s.imageSeeds()).append(" --image-rounds ").append(s.imageRounds());
        }
        if (s.firstSeed() != 1) {
            text.append(" --first-seed ").append(s.firstSeed());
        }
        return text.append(" --threads ").append(s.threads()).append(" --out ").append(out).toString();
    }

    private static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
