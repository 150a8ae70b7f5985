package io.vitrine.core.train;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Trains the reward network of neural-linear from a reward log: the network maps
 * {@code concat(context, candidate features)} to the reward through one output head, and its embedding z (see
 * {@link Mlp}) is what the posteriors are fitted on. The ONNX export of the result is {@link MlpOnnxExporter}.
 * <p>
 * One training, given the rows in log order, a {@link TrainingRecipe} and optionally the network that serves now:
 * <ol>
 *   <li>the newest {@code heldOutFraction} of the rows are held out and never trained on;</li>
 *   <li>of the others, the newest {@code window} (all when 0) are the training rows;</li>
 *   <li>the network starts as a copy of the serving one when {@code warmStart} is set and its form (inputs, hidden
 *       widths, wide z, one head) is the recipe's, from fresh weights otherwise; the serving network is never
 *       changed;</li>
 *   <li>{@code steps} RMSProp steps ({@link MlpTrainer}) on batches of
 *       {@code batchSize} rows drawn with replacement, row i with weight {@code gamma^age} of the recipe's
 *       recency. The optimiser is fresh every training (a trainer keeps no state between versions) and
 *       bias-corrected: TensorFlow 1's RMSProp, whose mean square starts at 1, takes steps of about {@code lr g} until
 *       it has adapted, which left a short warm-started training with too little movement (measured on the quality
 *       report's image world: 3,634 clicks of regret against 2,836 bias-corrected, seed 1, 100,000 decisions);</li>
 *   <li>the report compares the network's loss on the held-out rows with the best constant, the training rows'
 *       mean reward, and gives the ranking accuracy (AUC) for 0/1 rewards.</li>
 * </ol>
 * The same rows, serving network and recipe (seed included) give the same network. This is the recipe the selector's
 * policy uses when it retrains online ({@code NeuralLinearPolicy}), so that offline runs and the quality report
 * measure what a deployment does.
 */
public final class RewardNetworkTraining {

    /** Called after every step, for progress lines. */
    @FunctionalInterface
    public interface Progress {
        /** @param meanLoss mean batch loss of the steps so far */
        void step(long done, long total, double meanLoss);

        Progress NONE = (done, total, meanLoss) -> { };
    }

    /** The trained network (a new object) and how it did on the held-out rows. */
    public record Result(Mlp network, HeldOutReport report) {
    }

    private RewardNetworkTraining() {
    }

    /** {@link #train(RewardRows, Mlp, TrainingRecipe, Progress)} without progress. */
    public static Result train(RewardRows rows, Mlp serving, TrainingRecipe recipe) {
        return train(rows, serving, recipe, Progress.NONE);
    }

    /**
     * Trains a network on {@code rows}.
     *
     * @param rows    the reward log, oldest first
     * @param serving the network that serves now, or null; used only when the recipe warm-starts and its form fits
     * @throws IllegalArgumentException when no row is left to train on, or the logistic loss meets a reward outside
     *                                  [0, 1] (naming the row)
     */
    public static Result train(RewardRows rows, Mlp serving, TrainingRecipe recipe, Progress progress) {
        int n = rows.size();
        int heldOut = recipe.heldOutFraction() > 0 ? (int) Math.max(1, Math.round(n * recipe.heldOutFraction())) : 0;
        int end = n - heldOut;
        if (end < 1) {
            throw new IllegalArgumentException("only " + n + " rewards: nothing is left to train on after holding out"
                    + " the newest " + Math.round(100 * recipe.heldOutFraction()) + "%");
        }
        int start = recipe.window() > 0 ? Math.max(0, end - recipe.window()) : 0;
        double[] rewards = rows.rewardArray();
        if (recipe.loss() == MlpTrainer.Loss.LOGISTIC) {
            for (int i = 0; i < n; i++) {
                if (!(rewards[i] >= 0 && rewards[i] <= 1)) {
                    throw new IllegalArgumentException("row " + i + " has reward " + rewards[i]
                            + "; the logistic loss needs clicks in [0, 1] (use the squared loss for real rewards)");
                }
            }
        }
        boolean warm = recipe.warmStart() && fits(serving, rows.width(), recipe);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(recipe.seed());
        long initSeed = rng.nextLong();
        Mlp mlp = warm ? serving.copy()
                : Mlp.initialize(rows.width(), recipe.hiddenLayers(), 1, recipe.wide(), recipe.initScale(), initSeed);
        MlpTrainer trainer = new MlpTrainer(mlp, recipe.learningRate(), recipe.lrDecayRate(), recipe.maxGradNorm(),
                recipe.loss(), true);

        float[][] inputs = rows.inputArray();
        // One head: every row's target is the reward of the candidate shown. Sized to the backing arrays.
        int[] heads = new int[inputs.length];
        int[] batch = new int[recipe.batchSize()];
        RowSampler sampler = new RowSampler(start, end, recipe.recency().factor(), rng);
        double costSum = 0;
        for (int s = 1; s <= recipe.steps(); s++) {
            for (int b = 0; b < batch.length; b++) {
                batch[b] = sampler.next();
            }
            costSum += trainer.step(inputs, heads, rewards, batch);
            progress.step(s, recipe.steps(), costSum / s);
        }

        double mean = 0;
        for (int i = start; i < end; i++) {
            mean += rewards[i];
        }
        mean /= end - start;
        return new Result(mlp, report(rows, mlp, trainer, recipe, start, end, mean, warm));
    }

    private static HeldOutReport report(RewardRows rows, Mlp mlp, MlpTrainer trainer, TrainingRecipe recipe,
                                        int start, int end, double mean, boolean warm) {
        int n = rows.size();
        int heldOut = n - end;
        double loss = Double.NaN;
        double baseline = Double.NaN;
        double auc = Double.NaN;
        if (heldOut > 0) {
            float[][] testInputs = Arrays.copyOfRange(rows.inputArray(), end, n);
            double[] testTargets = Arrays.copyOfRange(rows.rewardArray(), end, n);
            loss = trainer.loss(testInputs, new int[heldOut], testTargets);
            baseline = 0;
            for (double y : testTargets) {
                baseline += constantLoss(recipe.loss(), mean, y);
            }
            baseline /= heldOut;
            if (rows.binary()) {
                double[] scores = new double[heldOut];
                for (int i = 0; i < heldOut; i++) {
                    scores[i] = mlp.predict(testInputs[i])[0];
                }
                auc = auc(scores, testTargets);
            }
        }
        return new HeldOutReport(n, end - start, heldOut, recipe.steps(), warm, mean, loss, baseline, auc);
    }

    /** True when the serving network has the form the recipe trains, so training can continue from it. */
    static boolean fits(Mlp serving, int width, TrainingRecipe recipe) {
        return serving != null && serving.inputs() == width && serving.heads() == 1 && serving.wide() == recipe.wide()
                && Arrays.equals(serving.hiddenLayers(), recipe.hiddenLayers());
    }

    /**
     * The Mann-Whitney statistic: the share of (click, non-click) pairs the scores order correctly, ties counting
     * half. Targets at or above 0.5 count as clicks. NaN without both.
     */
    static double auc(double[] scores, double[] targets) {
        int n = scores.length;
        Integer[] byScore = new Integer[n];
        for (int i = 0; i < n; i++) {
            byScore[i] = i;
        }
        Arrays.sort(byScore, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        long positives = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[byScore[j + 1]] == scores[byScore[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1; // ties share their mean rank
            for (int k = i; k <= j; k++) {
                if (targets[byScore[k]] >= 0.5) {
                    positiveRankSum += rank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** The loss of a constant prediction; for the logistic one kept off 0 and 1 so a one-class log stays finite. */
    private static double constantLoss(MlpTrainer.Loss loss, double p, double y) {
        if (loss == MlpTrainer.Loss.SQUARED) {
            return (p - y) * (p - y);
        }
        double q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
        return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }

    /**
     * Rows of [start, end) for mini-batches. Without recency weighting uniform, as the reference code's
     * {@code get_batch_with_weights}. With it, row i is drawn with probability proportional to
     * {@code gamma^(end-1-i)}, the weight a forgetting posterior gives it: the age k follows a geometric law truncated
     * at the row count m, drawn by inverting {@code F(k) = (1 - gamma^(k+1)) / (1 - gamma^m)}.
     */
    private static final class RowSampler {
        private final int start;
        private final int m;
        private final double gamma;
        private final UniformRandomProvider rng;

        RowSampler(int start, int end, double gamma, UniformRandomProvider rng) {
            this.start = start;
            this.m = end - start;
            this.gamma = gamma;
            this.rng = rng;
        }

        int next() {
            if (gamma == 1) {
                return start + rng.nextInt(m);
            }
            double u = rng.nextDouble();
            double k = Math.floor(Math.log1p(-u * -Math.expm1(m * Math.log(gamma))) / Math.log(gamma));
            // Rounding can only push k past the oldest row; clamp it there.
            return start + m - 1 - (int) Math.min(Math.max(k, 0), m - 1);
        }
    }
}
