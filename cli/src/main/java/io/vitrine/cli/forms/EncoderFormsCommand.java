package io.vitrine.cli.forms;

import io.vitrine.world.WorldSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code vitrine encoder-forms}: the demo's world played offline with the built-in encoder and with each trained
 * form, on the same seeds, so that the forms compare without the noise of services sharing a machine.
 */
@Command(name = "encoder-forms", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Plays the demo's world without services (the selector's Thompson sampling on one posterior per slot, the"
                    + " learner's exact posterior, rewards reaching it --delay decisions late) with the built-in"
                    + " encoder, and with each trained form retrained every --retrain-every rewards and swapped in at"
                    + " once with its posteriors rebuilt from every reward (the gate, the rebuild's time and the"
                    + " promotion are left out). ORACLE is the ceiling: the world's own prediction of the click from"
                    + " what the encoder sees, as a perfect encoder would compute it. Prints the last-half gap closed"
                    + " of each form on each seed.",
            "Exit code 0 when every run finished; 1 on bad options."})
public final class EncoderFormsCommand implements Callable<Integer> {

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", paramLabel = "S1,S2,...",
            description = "World seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--decisions", defaultValue = "20000", paramLabel = "N",
            description = "Visitors per run (default: ${DEFAULT-VALUE}).")
    int decisions;

    @Option(names = "--delay", defaultValue = "1000", paramLabel = "DECISIONS",
            description = "Decisions between a decision and its reward reaching the posterior (default: ${DEFAULT-VALUE}).")
    int delay;

    @Option(names = "--retrain-every", defaultValue = "2000", paramLabel = "REWARDS",
            description = "Rewards between two trainings (default: ${DEFAULT-VALUE}, the demo's).")
    int retrainEvery;

    @Option(names = "--exploration", defaultValue = "0.05", paramLabel = "SHARE",
            description = "The selectors' uniform exploration share (default: ${DEFAULT-VALUE}).")
    double exploration;

    @Option(names = "--holdout", defaultValue = "0", paramLabel = "SHARE",
            description = "Share of the newest rewards each training leaves out, as the trainer's gate holds them out"
                    + " (default: ${DEFAULT-VALUE}; the trainer's is 0.2).")
    double holdout;

    @Option(names = "--serve-after", defaultValue = "0", paramLabel = "DECISIONS",
            description = "Decisions between a training and its version serving (the gate, the learner's rebuild and"
                    + " the promotion); no training starts meanwhile (default: ${DEFAULT-VALUE}).")
    int serveAfter;

    @Option(names = "--forms", split = ",", defaultValue = "BUILT_IN,BILINEAR,MLP,ORACLE", paramLabel = "FORM,...",
            description = "Forms to play: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    List<EncoderForm> forms;

    private final PrintStream out;
    private final PrintStream err;

    public EncoderFormsCommand() {
        this(System.out, System.err);
    }

    EncoderFormsCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        OfflineWorldRun.Settings settings;
        try {
            settings = new OfflineWorldRun.Settings(decisions, delay, retrainEvery, exploration, holdout, serveAfter);
        } catch (IllegalArgumentException e) {
            err.println("encoder-forms: " + e.getMessage());
            return 1;
        }
        Map<EncoderForm, List<OfflineWorldRun.Result>> results = new EnumMap<>(EncoderForm.class);
        int total = seeds.size() * forms.size();
        int done = 0;
        for (long seed : seeds) {
            for (EncoderForm form : forms) {
                long started = System.nanoTime();
                // The demo's world: 4 slots of 6 images, 8 context and 8 candidate features.
                OfflineWorldRun.Result result = OfflineWorldRun.play(form, new WorldSpec(4, 6, 8, 8, seed), settings);
                results.computeIfAbsent(form, f -> new ArrayList<>()).add(result);
                done++;
                err.printf(Locale.ROOT, "[%d/%d] seed %d %-8s last-half gap closed %5.1f%%  (%d trainings, z of %d,"
                                + " %.1f s)%n", done, total, seed, form, 100 * result.lastHalfGapClosed(),
                        result.trainings(), result.dimension(), (System.nanoTime() - started) / 1e9);
            }
        }
        out.printf(Locale.ROOT, "last-half gap closed, %,d decisions, rewards %,d decisions late, retraining every %,d"
                + " rewards, exploration %.2f, holdout %.2f, serving %,d decisions after training%n", decisions, delay,
                retrainEvery, exploration, holdout, serveAfter);
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-10s", "form"));
        for (long seed : seeds) {
            header.append(String.format(Locale.ROOT, "  seed %-4d", seed));
        }
        out.println(header.append("   mean  z"));
        for (EncoderForm form : forms) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-10s", form));
            double sum = 0;
            List<OfflineWorldRun.Result> runs = results.get(form);
            for (OfflineWorldRun.Result r : runs) {
                row.append(String.format(Locale.ROOT, "  %8.1f%%", 100 * r.lastHalfGapClosed()));
                sum += r.lastHalfGapClosed();
            }
            row.append(String.format(Locale.ROOT, "  %5.1f%%  %d", 100 * sum / runs.size(),
                    runs.get(runs.size() - 1).dimension()));
            out.println(row);
        }
        return 0;
    }
}
