package io.vitrine.cli.train;

import io.vitrine.core.train.HeldOutReport;
import io.vitrine.core.train.MlpOnnxExporter;
import io.vitrine.core.train.RewardNetworkTraining;
import io.vitrine.core.train.RewardRows;
import io.vitrine.core.train.TrainingRecipe;
import io.vitrine.cli.DurationConverter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vitrine train-encoder}: retrains the network from the reward log and writes it as an ONNX encoder. */
@Command(name = "train-encoder", sortOptions = false,
        description = {
            "Reads the rewards the learner logged to Kafka (every partition from the beginning to the end offsets"
                    + " taken at the start), trains the selector's network on concat(context, candidate features)"
                    + " -> reward with Vitrine's training recipe (the one the policy retrains with), and writes its"
                    + " trunk as an ONNX encoder (docs/encoder.md).",
            "The newest 10%% of the rewards are held out and the network's log loss on them is reported against a"
                    + " constant click rate. Progress goes to stderr, a summary to stdout.",
            "Exit code 0 when the encoder was written; 1 when Kafka is unreachable, no reward was found or the"
                    + " rewards mix feature lengths."},
        footer = {"", "Then start the selector with -Dvitrine.encoder.path=FILE."})
public final class TrainEncoderCommand implements Callable<Integer> {

    /** At least this many rows, so that both parts of the split are more than a handful. */
    static final int MIN_ROWS = 20;
    /** The newest share of the rewards kept out of training for the report. */
    static final double HELD_OUT = 0.1;

    private static final DateTimeFormatter VERSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    // --version names the encoder here, so only the help option of the standard pair is declared.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", defaultValue = "vitrine.", paramLabel = "PREFIX", description = "Prefix of every topic (default: ${DEFAULT-VALUE}).")
    String topicPrefix;

    @Option(names = "--slot", paramLabel = "SLOT", description = "Train on this slot's rewards only (default: every slot).")
    String slot;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The ONNX encoder to write.")
    Path out;

    @Option(names = "--version", paramLabel = "VERSION",
            description = "Encoder version written to the file's metadata; posteriors are tied to it"
                    + " (default: trained-<UTC timestamp>).")
    String version;

    @Option(names = "--epochs", defaultValue = "20", paramLabel = "N",
            description = "Training length in passes over the training rows: N x rows / batch size mini-batch steps"
                    + " (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "Seed of the initial weights and the batches (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "How long to wait for Kafka to answer, or for a read that stopped moving (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Spec
    CommandSpec spec;

    private final Clock clock;

    /** The command as picocli builds it, versioned by the wall clock. */
    public TrainEncoderCommand() {
        this(Clock.systemUTC());
    }

    TrainEncoderCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressLine progress = new ProgressLine(spec.commandLine().getErr());
        String encoderVersion = version != null ? version : "trained-" + VERSION_TIME.format(clock.instant());
        if (encoderVersion.isBlank()) {
            throw new IllegalArgumentException("--version must not be blank");
        }
        RewardLogReader.Source source = new RewardLogReader.Source(bootstrapServers, topicPrefix,
                Optional.ofNullable(slot), timeout);
        RewardRows rows = new RewardLogReader(source, progress).read();
        if (rows.size() < MIN_ROWS) {
            throw new IllegalArgumentException("only " + rows.size() + " rewards; training needs at least " + MIN_ROWS
                    + " to hold out the newest " + Math.round(100 * HELD_OUT) + "% for evaluation");
        }
        TrainingRecipe defaults = TrainingRecipe.defaults();
        int trainRows = rows.size() - (int) Math.round(rows.size() * HELD_OUT);
        long steps = (long) epochs * ((trainRows + defaults.batchSize() - 1) / defaults.batchSize());
        if (epochs < 1 || steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--epochs must be >= 1 and give at most " + Integer.MAX_VALUE
                    + " steps, got " + epochs);
        }
        TrainingRecipe recipe = defaults.withSchedule((int) steps, defaults.batchSize()).withHeldOutFraction(HELD_OUT)
                .withSeed(seed);
        progress.always(String.format(Locale.ROOT, "training on %,d rows, the newest %,d held out: %,d steps of %d"
                        + " rows (hidden %s, wide %s, lr %s)", trainRows, rows.size() - trainRows, steps,
                recipe.batchSize(), java.util.Arrays.toString(recipe.hiddenLayers()), recipe.wide(),
                recipe.learningRate()));
        RewardNetworkTraining.Result result = RewardNetworkTraining.train(rows, null, recipe,
                (done, total, loss) -> progress.maybe(() -> String.format(Locale.ROOT,
                        "step %,d/%,d, training loss %.4f", done, total, loss)));
        byte[] model = MlpOnnxExporter.export(result.network(), rows.contextFeatures(), rows.candidateFeatures(),
                encoderVersion);
        Path file = write(out, model);

        HeldOutReport r = result.report();
        stdout.printf(Locale.ROOT, "rewards:          %,d (%d context + %d candidate features, click rate %.4f)%n",
                r.rows(), rows.contextFeatures(), rows.candidateFeatures(), r.meanReward());
        stdout.printf(Locale.ROOT, "training:         %,d rows, %d epochs, %,d steps%n", r.trainRows(), epochs,
                r.steps());
        stdout.printf(Locale.ROOT, "held-out:         %,d rows, log loss %.4f (constant click rate: %.4f)%n",
                r.heldOutRows(), r.heldOutLoss(), r.baselineLoss());
        stdout.printf(Locale.ROOT, "ranking accuracy: %s (constant click rate: 0.5000)%n",
                Double.isNaN(r.heldOutAuc()) ? "n/a (held-out rows are all clicks or all non-clicks)"
                        : String.format(Locale.ROOT, "%.4f", r.heldOutAuc()));
        stdout.printf(Locale.ROOT, "encoder:          %s (version %s, embedding %d)%n", file, encoderVersion,
                result.network().embeddingDimension());
        stdout.printf(Locale.ROOT, "use it with:      -Dvitrine.encoder.path=%s%n", file);
        if (!r.beatsConstant()) {
            // Still written: on a log with little signal this is expected, and the reader decides.
            stdout.println("note: the network does not beat the constant click rate on the held-out rewards");
        }
        stdout.flush();
        return 0;
    }

    /** Writes next to the target and moves it in place, so that a selector never loads a half-written file. */
    private static Path write(Path target, byte[] model) throws IOException {
        Path absolute = target.toAbsolutePath().normalize();
        Files.createDirectories(absolute.getParent());
        Path temporary = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
        try {
            Files.write(temporary, model);
            try {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return absolute;
    }
}
