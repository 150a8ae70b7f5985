package io.vitrine.core.train;

import io.vitrine.core.posterior.Forgetting;

import java.util.Arrays;
import java.util.Objects;

/**
 * How {@link RewardNetworkTraining} trains the reward network from a reward log: the network's form, the optimiser,
 * how much it trains, on which rows, and whether it starts from the network that serves now. {@link #defaults()}
 * is Vitrine's recipe; the withers change one concern at a time.
 *
 * @param hiddenLayers    widths of the ReLU hidden layers; the last one is the learned part of z. Default [64]
 * @param wide            z = [1, x, h_L] instead of h_L (see {@link Mlp}). Default true
 * @param loss            {@link MlpTrainer.Loss#LOGISTIC} for 0/1 clicks (the default), {@link MlpTrainer.Loss#SQUARED}
 *                        for real-valued rewards
 * @param initScale       &gt; 0: initial weights U(-initScale, initScale); 0: He/Xavier-uniform (the default). Only
 *                        for a network trained from scratch
 * @param learningRate    RMSProp's initial rate lr_0. Default 0.003
 * @param lrDecayRate     inverse-time decay within one training, {@code lr_t = lr_0 / (1 + lrDecayRate t)}.
 *                        Default 1e-4
 * @param maxGradNorm     global-norm gradient clipping. Default 5
 * @param batchSize       rows per mini-batch, drawn with replacement from the training rows. Default 256
 * @param steps           mini-batch steps per training. Default 100
 * @param warmStart       start from the network that serves now when one is given and has the same form; otherwise
 *                        (or when none is given) from fresh weights. Default true
 * @param window          train on the newest {@code window} rows before the held-out ones only; 0 for all.
 *                        Default 0
 * @param recency         rows are drawn with weight {@code gamma^age} (age in rows, newest 0) so that the network
 *                        follows a drift as the forgetting posterior does; {@link Forgetting#NONE} draws uniformly.
 *                        Default: a half-life of 50,000 rows, the posterior's default
 * @param heldOutFraction the newest share of rows, never trained on, on which the report is measured; in [0, 1),
 *                        0 for none. Default 0.1
 * @param seed            the initial weights and the batches. Default 1
 */
public record TrainingRecipe(int[] hiddenLayers, boolean wide, MlpTrainer.Loss loss, double initScale,
                             double learningRate, double lrDecayRate, double maxGradNorm, int batchSize, int steps,
                             boolean warmStart, int window, Forgetting recency, double heldOutFraction, long seed) {

    public TrainingRecipe {
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(recency, "recency (use Forgetting.NONE)");
        hiddenLayers = validHiddenLayers(hiddenLayers);
        requireFinite("initScale", initScale, 0, false);
        requireFinite("learningRate", learningRate, 0, true);
        requireFinite("lrDecayRate", lrDecayRate, 0, false);
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("maxGradNorm must be > 0, got " + maxGradNorm);
        }
        if (batchSize < 1 || steps < 1 || window < 0) {
            throw new IllegalArgumentException("batchSize and steps must be >= 1 and window >= 0, got " + batchSize
                    + ", " + steps + " and " + window);
        }
        if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
            throw new IllegalArgumentException("heldOutFraction must be in [0, 1), got " + heldOutFraction);
        }
    }

    /**
     * A copy of {@code hiddenLayers} when it names at least one layer and every width is >= 1 (the last layer is the
     * embedding z); shared by the recipe and the policy's configuration.
     */
    public static int[] validHiddenLayers(int[] hiddenLayers) {
        if (hiddenLayers == null || hiddenLayers.length == 0) {
            throw new IllegalArgumentException("at least one hidden layer is needed: its output is the embedding z");
        }
        int[] copy = hiddenLayers.clone();
        for (int width : copy) {
            if (width < 1) {
                throw new IllegalArgumentException("hidden layer widths must be >= 1, got " + Arrays.toString(copy));
            }
        }
        return copy;
    }

    /** Vitrine's recipe for click rewards, with the defaults listed on the record. */
    public static TrainingRecipe defaults() {
        return new TrainingRecipe(new int[]{64}, true, MlpTrainer.Loss.LOGISTIC, 0, 0.003, 1e-4, 5.0, 256, 100,
                true, 0, Forgetting.halfLife(50_000), 0.1, 1);
    }

    /**
     * Vitrine's recipe for real-valued rewards: {@link #defaults()} with squared error, 400 steps and lr 0.01 (the
     * training of {@code NeuralLinearConfig.vitrineRealRewards()}, measured on the wheel bandit, docs/quality.md).
     */
    public static TrainingRecipe forRealRewards() {
        return defaults().withNetwork(new int[]{64}, true, MlpTrainer.Loss.SQUARED, 0).withSchedule(400, 256)
                .withOptimiser(0.01, 1e-4, 5.0);
    }

    /** The network's form: hidden widths, wide or plain z, the loss and the initial weight scale. */
    public TrainingRecipe withNetwork(int[] newHiddenLayers, boolean newWide, MlpTrainer.Loss newLoss,
                                      double newInitScale) {
        return new TrainingRecipe(newHiddenLayers, newWide, newLoss, newInitScale, learningRate, lrDecayRate,
                maxGradNorm, batchSize, steps, warmStart, window, recency, heldOutFraction, seed);
    }

    /** The optimiser: initial rate, its decay within a training, and the clipping norm. */
    public TrainingRecipe withOptimiser(double rate, double decay, double clipNorm) {
        return new TrainingRecipe(hiddenLayers, wide, loss, initScale, rate, decay, clipNorm, batchSize, steps,
                warmStart, window, recency, heldOutFraction, seed);
    }

    /** How much one training does: {@code newSteps} batches of {@code newBatchSize} rows. */
    public TrainingRecipe withSchedule(int newSteps, int newBatchSize) {
        return new TrainingRecipe(hiddenLayers, wide, loss, initScale, learningRate, lrDecayRate, maxGradNorm,
                newBatchSize, newSteps, warmStart, window, recency, heldOutFraction, seed);
    }

    /** Which rows and starting point: warm start or not, the newest-rows window (0: all), the recency weighting. */
    public TrainingRecipe withData(boolean newWarmStart, int newWindow, Forgetting newRecency) {
        return new TrainingRecipe(hiddenLayers, wide, loss, initScale, learningRate, lrDecayRate, maxGradNorm,
                batchSize, steps, newWarmStart, newWindow, newRecency, heldOutFraction, seed);
    }

    public TrainingRecipe withHeldOutFraction(double fraction) {
        return new TrainingRecipe(hiddenLayers, wide, loss, initScale, learningRate, lrDecayRate, maxGradNorm,
                batchSize, steps, warmStart, window, recency, fraction, seed);
    }

    public TrainingRecipe withSeed(long newSeed) {
        return new TrainingRecipe(hiddenLayers, wide, loss, initScale, learningRate, lrDecayRate, maxGradNorm,
                batchSize, steps, warmStart, window, recency, heldOutFraction, newSeed);
    }

    /** A copy of the widths. */
    @Override
    public int[] hiddenLayers() {
        return hiddenLayers.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingRecipe r && Arrays.equals(hiddenLayers, r.hiddenLayers) && wide == r.wide
                && loss == r.loss && Double.compare(initScale, r.initScale) == 0
                && Double.compare(learningRate, r.learningRate) == 0 && Double.compare(lrDecayRate, r.lrDecayRate) == 0
                && Double.compare(maxGradNorm, r.maxGradNorm) == 0 && batchSize == r.batchSize && steps == r.steps
                && warmStart == r.warmStart && window == r.window && recency.equals(r.recency)
                && Double.compare(heldOutFraction, r.heldOutFraction) == 0 && seed == r.seed;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(hiddenLayers) + Objects.hash(wide, loss, initScale, learningRate, lrDecayRate,
                maxGradNorm, batchSize, steps, warmStart, window, recency, heldOutFraction, seed);
    }

    @Override
    public String toString() {
        return "TrainingRecipe[hiddenLayers=" + Arrays.toString(hiddenLayers) + ", wide=" + wide + ", loss=" + loss
                + ", initScale=" + initScale + ", learningRate=" + learningRate + ", lrDecayRate=" + lrDecayRate
                + ", maxGradNorm=" + maxGradNorm + ", batchSize=" + batchSize + ", steps=" + steps + ", warmStart="
                + warmStart + ", window=" + window + ", recency=" + recency + ", heldOutFraction=" + heldOutFraction
                + ", seed=" + seed + "]";
    }

    private static void requireFinite(String name, double value, double min, boolean strict) {
        if (!(strict ? value > min : value >= min) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be a finite number " + (strict ? "> " : ">= ") + min
                    + ", got " + value);
        }
    }
}
