package io.vitrine.cli.forms;

import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.policy.ThompsonSampler;
import io.vitrine.core.policy.UniformExploration;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.core.train.BilinearEncoder;
import io.vitrine.core.train.BilinearTraining;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.RewardNetworkTraining;
import io.vitrine.core.train.RewardRows;
import io.vitrine.core.train.TrainingRecipe;
import io.vitrine.core.train.TwoTowerEncoder;
import io.vitrine.core.train.TwoTowerTraining;
import io.vitrine.world.Image;
import io.vitrine.world.ImageWorld;
import io.vitrine.world.Slot;
import io.vitrine.world.Visitor;
import io.vitrine.world.WorldSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The demo's world played without services: the same audience and hidden click model ({@link ImageWorld}), the
 * selector's decision rule (Thompson sampling on one Normal-Inverse-Gamma posterior per slot, with the uniform
 * exploration share) and the learner's exact posterior, with rewards reaching the posterior {@code delay} decisions
 * after their decision (the attribution window and the pipeline's lag, in decisions). With a trained form, a new
 * encoder is fitted on every reward so far each {@code retrainEvery} rewards, exactly as the trainer fits it, and
 * takes over at once with its posteriors rebuilt from every reward re-encoded (the learner's rebuild by replay).
 * What is left out is the services' own delay: the gate, the rebuild's time and the promotion; every version
 * serves as soon as it is fitted.
 *
 * <p>Everything derives from the seed, so a run is reproducible.
 */
public final class OfflineWorldRun {

    /**
     * @param decisions     visitors played
     * @param delay         decisions between a decision and its reward reaching the posterior
     * @param retrainEvery  rewards between two trainings of a trained form
     * @param exploration   the selectors' uniform share (0.05 by default)
     * @param holdout       share of the newest rewards a training leaves out (the trainer's gate holds them out)
     * @param serveAfter    decisions between a training and its version serving (the gate, the learner's rebuild
     *                      and the promotion); no training starts meanwhile, as the trainer waits for each rebuild
     */
    public record Settings(int decisions, int delay, int retrainEvery, double exploration, double holdout,
                           int serveAfter) {
        public Settings {
            if (decisions < 2 || delay < 0 || retrainEvery < 1 || !(exploration >= 0 && exploration < 1)
                    || !(holdout >= 0 && holdout < 1) || serveAfter < 0) {
                throw new IllegalArgumentException("need decisions >= 2, delay >= 0, retrainEvery >= 1, an"
                        + " exploration share in [0, 1), a holdout share in [0, 1) and serveAfter >= 0");
            }
        }

        /** Every version fitted on every reward and serving at once. */
        public Settings(int decisions, int delay, int retrainEvery, double exploration) {
            this(decisions, delay, retrainEvery, exploration, 0, 0);
        }
    }

    /**
     * @param lastHalfGapClosed (Vitrine - uniform) / (oracle - uniform) of the expected click rates over the last half
     * @param lastHalfCtr       the mean hidden click probability of the choices over the last half
     * @param trainings         encoders fitted during the run
     * @param dimension         dimension of z at the end of the run
     */
    public record Result(EncoderForm form, long seed, double lastHalfGapClosed, double lastHalfCtr, int trainings,
                         int dimension) {
    }

    private static final NigPrior PRIOR = NigPrior.DEFAULT;
    private static final int MLP_STEPS = 500;
    /** Draws behind each propensity: the decision alone matters here, so a few. */
    private static final int PROPENSITY_DRAWS = 8;
    /** Draws of the visitor's hidden vector behind each of the oracle's predictions. */
    private static final int ORACLE_DRAWS = 200;

    private OfflineWorldRun() {
    }

    /** Plays one run; {@code worldSpec} as the demo builds it (4 slots of 6 images, 8 + 8 features by default). */
    public static Result play(EncoderForm form, WorldSpec worldSpec, Settings settings) {
        ImageWorld world = ImageWorld.generate(worldSpec);
        int fc = worldSpec.contextFeatures();
        int fa = worldSpec.candidateFeatures();
        DefaultEncoder builtIn = DefaultEncoder.random(fc, fa, 32, 1);
        UnaryOperator<float[][]> encoder = form == EncoderForm.ORACLE ? oracle(world, fc) : builtIn::forward;
        ThompsonSampler sampler = new ThompsonSampler(PROPENSITY_DRAWS, new UniformExploration(settings.exploration()));
        RewardRows log = new RewardRows(fc, fa);
        List<Integer> slots = new ArrayList<>();
        Map<Integer, SufficientStatistics> statistics = new HashMap<>();
        Map<Integer, NormalInverseGammaPosterior> posteriors = new HashMap<>();
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        Mlp network = null;
        int trainings = 0;
        int dimension = encoder.apply(new float[][]{concat(world.visitor(0).context(),
                world.slot(0).candidates().get(0).features())})[0].length;
        long sinceTraining = 0;
        Fitted next = null;
        double expected = 0;
        double uniform = 0;
        double oracle = 0;
        int counted = 0;
        for (int t = 0; t < settings.decisions(); t++) {
            while (!pending.isEmpty() && pending.peek().decidedAt() <= t - settings.delay()) {
                Pending p = pending.poll();
                log.add(p.context(), p.candidate(), p.reward());
                slots.add(p.slot());
                float[] z = encoder.apply(new float[][]{concat(p.context(), p.candidate())})[0];
                statistics.computeIfAbsent(p.slot(), s -> SufficientStatistics.empty(z.length)).update(z, p.reward());
                posteriors.remove(p.slot());
                sinceTraining++;
            }
            if (next != null && t >= next.servesAt()) {
                encoder = next.encoder();
                dimension = next.dimension();
                rebuild(log, slots, encoder, statistics);
                posteriors.clear();
                next = null;
            }
            if (form.trained() && next == null && sinceTraining >= settings.retrainEvery()) {
                sinceTraining = 0;
                trainings++;
                RewardRows trainingRows = settings.holdout() > 0
                        ? oldest(log, log.size() - (int) Math.floor(log.size() * settings.holdout())) : log;
                Fitted fitted;
                if (form == EncoderForm.BILINEAR) {
                    BilinearEncoder bilinear = BilinearTraining.train(trainingRows,
                            BilinearTraining.Settings.defaults()).encoder();
                    fitted = new Fitted(rows -> embedAll(rows, bilinear::embed), bilinear.embeddingDimension(), t);
                } else if (form == EncoderForm.TWO_TOWER) {
                    TwoTowerEncoder towers = TwoTowerTraining.train(trainingRows,
                            TwoTowerTraining.Settings.defaults().withSeed(worldSpec.seed() + trainings)).encoder();
                    fitted = new Fitted(rows -> embedAll(rows, towers::embed), towers.embeddingDimension(), t);
                } else {
                    // The trainer's network form: the shared recipe with vitrine.trainer.steps (500) per training.
                    TrainingRecipe recipe = TrainingRecipe.defaults().withSchedule(MLP_STEPS,
                            TrainingRecipe.defaults().batchSize()).withSeed(worldSpec.seed() + trainings);
                    Mlp trained = RewardNetworkTraining.train(trainingRows, network, recipe).network();
                    network = trained;
                    fitted = new Fitted(rows -> embedAll(rows, trained::embedFloat), trained.embeddingDimension(), t);
                }
                next = new Fitted(fitted.encoder(), fitted.dimension(), t + settings.serveAfter());
                if (settings.serveAfter() == 0) {
                    encoder = next.encoder();
                    dimension = next.dimension();
                    rebuild(log, slots, encoder, statistics);
                    posteriors.clear();
                    next = null;
                }
            }
            Visitor visitor = world.visitor(t);
            Slot slot = world.slot(visitor.slot());
            int k = slot.candidates().size();
            float[][] features = new float[k][];
            for (int a = 0; a < k; a++) {
                features[a] = concat(visitor.context(), slot.candidates().get(a).features());
            }
            float[][] z = encoder.apply(features);
            int d = z[0].length;
            SufficientStatistics s = statistics.get(visitor.slot());
            NormalInverseGammaPosterior posterior = posteriors.computeIfAbsent(visitor.slot(), key -> s == null
                    ? NormalInverseGammaPosterior.prior(d, PRIOR) : NormalInverseGammaPosterior.fromStatistics(s, PRIOR));
            int chosen = sampler.chooseIndices(posterior, z, 1, ImageWorld.mix(worldSpec.seed(), 0xDEC1DEL + t))[0];
            double[] p = world.clickProbabilities(visitor);
            double reward = new SplittableRandom(ImageWorld.mix(worldSpec.seed(), 0xC11CL + t)).nextDouble() < p[chosen]
                    ? 1 : 0;
            Image image = slot.candidates().get(chosen);
            pending.add(new Pending(t, visitor.slot(), visitor.context(), image.features(), reward));
            if (t >= settings.decisions() / 2) {
                expected += p[chosen];
                uniform += ImageWorld.mean(p);
                oracle += ImageWorld.max(p);
                counted++;
            }
        }
        double gap = oracle - uniform;
        return new Result(form, worldSpec.seed(), gap > 0 ? (expected - uniform) / gap : 0, expected / counted,
                trainings, dimension);
    }

    /** z = [1, p], p the world's own prediction for the row's image given the row's context ({@link EncoderForm#ORACLE}). */
    private static UnaryOperator<float[][]> oracle(ImageWorld world, int contextFeatures) {
        Map<String, int[]> images = new HashMap<>();
        for (int s = 0; s < world.slots().size(); s++) {
            for (int a = 0; a < world.slot(s).candidates().size(); a++) {
                images.put(Arrays.toString(world.slot(s).candidates().get(a).features()), new int[]{s, a});
            }
        }
        return rows -> {
            float[][] out = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                int[] image = images.get(Arrays.toString(Arrays.copyOfRange(rows[i], contextFeatures, rows[i].length)));
                double p = world.expectedClickProbability(Arrays.copyOf(rows[i], contextFeatures), image[0], image[1],
                        ORACLE_DRAWS);
                out[i] = new float[]{1, (float) p};
            }
            return out;
        };
    }

    /** The learner's rebuild: every reward so far re-encoded into fresh statistics per slot. */
    private static void rebuild(RewardRows log, List<Integer> slots, UnaryOperator<float[][]> encoder,
                                Map<Integer, SufficientStatistics> statistics) {
        statistics.clear();
        for (int i = 0; i < log.size(); i++) {
            float[] z = encoder.apply(new float[][]{log.input(i)})[0];
            statistics.computeIfAbsent(slots.get(i), s -> SufficientStatistics.empty(z.length))
                    .update(z, log.reward(i));
        }
    }

    /** The first n rows of the log: what a training sees when the gate holds the newest out. */
    private static RewardRows oldest(RewardRows log, int n) {
        int fc = log.contextFeatures();
        RewardRows out = new RewardRows(fc, log.candidateFeatures());
        for (int i = 0; i < n; i++) {
            float[] row = log.input(i);
            out.add(Arrays.copyOf(row, fc), Arrays.copyOfRange(row, fc, row.length), log.reward(i));
        }
        return out;
    }

    private static float[][] embedAll(float[][] rows, Function<float[], float[]> embed) {
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = embed.apply(rows[i]);
        }
        return out;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A trained version: its encoder, z's dimension, and the decision from which it serves. */
    private record Fitted(UnaryOperator<float[][]> encoder, int dimension, int servesAt) {
    }

    private record Pending(int decidedAt, int slot, float[] context, float[] candidate, double reward) {
    }
}
