package io.vitrine.core.bandit;

import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpTrainer;
import io.vitrine.core.train.TrainingRecipe;

import java.util.Arrays;

/**
 * Settings of {@link NeuralLinearPolicy}.
 *
 * @param scope          what the network sees and how many posteriors there are, see {@link Scope}
 * @param hiddenLayers   widths of the ReLU hidden layers; the last one is the embedding z the posteriors use
 * @param prior          Normal-Inverse-Gamma prior of every posterior over z
 * @param trainEvery     retrain the network (and recompute the posteriors) every this many learned rewards
 * @param trainSteps     mini-batch steps per retraining (the reference's {@code training_epochs})
 * @param batchSize      rows per mini-batch, drawn uniformly with replacement from all data so far
 * @param learningRate   initial RMSProp learning rate lr_0
 * @param lrDecayRate    inverse-time decay, {@code lr_t = lr_0 / (1 + lrDecayRate t)}, t reset at each retraining
 * @param maxGradNorm    global-norm gradient clipping threshold
 * @param initialPulls   times each arm is played round-robin before Thompson sampling starts
 * @param forgetting     exponential forgetting of the posterior statistics ({@link Forgetting#NONE} for none)
 * @param wide           z = [1, input, last hidden layer] instead of the last hidden layer alone (see {@link Mlp})
 * @param loss           the network's training loss
 * @param initScale      &gt; 0: initial weights {@code U(-initScale, initScale)} (the reference's {@code init_scale});
 *                       0: He/Xavier-uniform
 * @param resetLearningRate PER_ARM scope: restart the learning-rate schedule at every retraining; otherwise t counts
 *                       all steps. SHARED scope trains with {@link #recipe()}, a fresh optimiser every retraining
 */
public record NeuralLinearConfig(Scope scope, int[] hiddenLayers, NigPrior prior, int trainEvery, int trainSteps,
                                 int batchSize, double learningRate, double lrDecayRate, double maxGradNorm,
                                 int initialPulls, Forgetting forgetting, boolean wide, MlpTrainer.Loss loss,
                                 double initScale, boolean resetLearningRate) {

    /** What the network encodes and how the posteriors are scoped. */
    public enum Scope {
        /**
         * The paper's form: the network maps the context to z, with one linear output head per arm trained on the
         * played arm's reward only; one posterior per arm over z. Needs the same set of arm ids in every round.
         */
        PER_ARM,
        /**
         * Vitrine's production form: the network maps {@code concat(context, arm features)} to z with a single
         * output; one posterior over z shared by all arms, so a new arm is scored through its features.
         */
        SHARED
    }

    public NeuralLinearConfig {
        if (scope == null || prior == null || forgetting == null || loss == null) {
            throw new IllegalArgumentException("scope, prior, forgetting and loss must not be null (use Forgetting.NONE)");
        }
        if (!(initScale >= 0) || Double.isInfinite(initScale)) {
            throw new IllegalArgumentException("initScale must be a finite number >= 0, got " + initScale);
        }
        hiddenLayers = TrainingRecipe.validHiddenLayers(hiddenLayers);
        requireAtLeast("trainEvery", trainEvery, 1);
        requireAtLeast("trainSteps", trainSteps, 0);
        requireAtLeast("batchSize", batchSize, 1);
        requireAtLeast("initialPulls", initialPulls, 0);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
        }
        if (!(lrDecayRate >= 0) || Double.isInfinite(lrDecayRate)) {
            throw new IllegalArgumentException("lrDecayRate must be a finite number >= 0, got " + lrDecayRate);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("maxGradNorm must be > 0, got " + maxGradNorm);
        }
    }

    /**
     * NeuralLinear as in Riquelme, Tucker and Snoek (ICLR 2018), {@code hparams_nlinear} of the reference code
     * (tensorflow/models {@code research/deep_contextual_bandits/example_main.py}):
     * <ul>
     *   <li>{@code layer_sizes=[50]}, {@code activation=tf.nn.relu}: one hidden layer of 50 ReLU units;</li>
     *   <li>{@code a0=6, b0=6, lambda_prior=0.25}: {@link NigPrior#WHEEL_PAPER};</li>
     *   <li>{@code training_freq_network=50}: retrain every 50 rewards ({@code training_freq=1}: the posteriors
     *       are updated after every reward, as here);</li>
     *   <li>{@code training_epochs=100}: 100 mini-batch steps per retraining ({@code NeuralBanditModel.train} runs
     *       {@code num_steps} batches, not passes over the data);</li>
     *   <li>{@code batch_size=512}, sampled with replacement from all data ({@code buffer_s=-1},
     *       {@code ContextualDataset.get_batch_with_weights});</li>
     *   <li>{@code initial_lr=0.1}, RMSProp ({@code neural_bandit_model.py}: {@code tf.train.RMSPropOptimizer}),
     *       {@code activate_decay=True, lr_decay_rate=0.5}: {@code inverse_time_decay(0.1, global_step, 1, 0.5)}.
     *       {@code reset_lr=True} asks for the schedule to restart at each retraining, but {@code assign_lr} builds a
     *       new tensor that the already-built optimizer never reads, so in the code that produced the paper's
     *       results the decay runs on over all retrainings (lr about 0.002 after the first, 0.1 / (1 + 50 k) after
     *       the k-th). That is what is followed here ({@code resetLearningRate = false}): restarting at 0.1 every 50
     *       rewards makes RMSProp take steps of about lr in every weight, a hundred per retraining, which shakes the
     *       representation the posteriors are rebuilt on;</li>
     *   <li>{@code max_grad_norm=5.0}: {@code tf.clip_by_global_norm};</li>
     *   <li>{@code init_scale=0.3}: every weight {@code U(-0.3, 0.3)}, biases 0 ({@code fully_connected} and
     *       {@code dense} with {@code random_uniform_initializer});</li>
     *   <li>z is the last hidden layer ({@code self.bnn.nn}), no intercept, squared error;</li>
     *   <li>{@code initial_pulls=2}: each arm played twice round-robin first.</li>
     * </ul>
     */
    public static NeuralLinearConfig paper() {
        return new NeuralLinearConfig(Scope.PER_ARM, new int[]{50}, NigPrior.WHEEL_PAPER, 50, 100, 512,
                0.1, 0.5, 5.0, 2, Forgetting.NONE, false, MlpTrainer.Loss.SQUARED, 0.3, false);
    }

    /**
     * Vitrine's setting for image selection (measured on the image world of the quality report, docs/quality.md):
     * <ul>
     *   <li>SHARED scope: the network sees context and image features, so a new image gets a sensible score on its
     *       first impression instead of starting from the prior, and all images pool their clicks;</li>
     *   <li>wide z = [1, input, h]: the linear posterior then contains linear Thompson sampling on the raw
     *       features, and the hidden layer only has to add the interactions. Without the constant and the input the
     *       posterior has no intercept and must rebuild both from ReLU units; measured, end-of-run CTR 81% of the
     *       oracle against 85% with them (same settings otherwise);</li>
     *   <li>one hidden layer of 64: with the wide z, [64, 32] reached 85-87% of the oracle, [64] 89-90%, [128]
     *       89% at twice the cost (z of 142 makes the per-round posterior refresh dearer), [32] 89%;</li>
     *   <li>logistic loss: clicks are 0/1 with rates of a few percent, and cross-entropy fits their log-odds,
     *       which is also how the click model is built; squared error did worse over the run (80% against 83%);</li>
     *   <li>{@link NigPrior#DEFAULT} (lambda 1, a0 2, b0 0.25): prior noise variance 0.25, the largest a 0/1
     *       click can have; the paper's a0 = b0 = 6 is tuned for rewards of order 1 to 50;</li>
     *   <li>retrain every 1000 rewards with 100 steps of 256 rows, lr 0.003 with a slow decay (1e-4 per step),
     *       warm-started from the current network by a fresh optimiser ({@link #recipe()},
     *       {@link TrainingRecipe#defaults()}). At lr 0.01 restarted at every retraining the network used to
     *       random-walk; with retraining every 250 rewards that drove the CTR below uniform;</li>
     *   <li>no initial pulls: with a shared model the features already rank a new image, and round-robin over a
     *       catalogue of images would cost many impressions;</li>
     *   <li>forgetting with a half-life of 50 000 rewards: click rates drift slowly (seasons, fatigue), and a
     *       bounded effective sample (about 72 000) keeps the posterior from freezing, while being long enough not
     *       to add noise on a stationary world.</li>
     * </ul>
     */
    public static NeuralLinearConfig vitrineDefault() {
        return new NeuralLinearConfig(Scope.SHARED, new int[]{64}, NigPrior.DEFAULT, 1000, 100, 256,
                0.003, 1e-4, 5.0, 0, Forgetting.halfLife(50_000), true, MlpTrainer.Loss.LOGISTIC, 0, false);
    }

    /**
     * Vitrine's setting for real-valued rewards (measured on the wheel bandit of the quality report,
     * docs/quality.md): {@link #vitrineDefault()} with
     * <ul>
     *   <li>squared error instead of the logistic loss, which needs clicks;</li>
     *   <li>{@link NigPrior#WHEEL_PAPER} (lambda 0.25, a0 = b0 = 6) instead of {@link NigPrior#DEFAULT}: the click
     *       prior's noise variance, 0.25 with the weight of 4 rewards, collapses to the spread of the first rewards
     *       seen; on the wheel (rewards 1.0-1.2, and 50 on the rim) the posterior was sure that the 1.2 action wins
     *       everywhere before any rim reward was seen, and 2 to 8 of 10 seeds never played the rim's action (normalised
     *       regret 100-122, with retraining and without it alike). The paper's prior keeps exploring: no seed failed at
     *       delta 0.9 and 0.95;</li>
     *   <li>retraining every 500 rewards with 400 steps at lr 0.01: a network that must learn a ring from rare large
     *       rewards needed more training than clicks; with 100 steps at lr 0.003 its regret over the last half of a
     *       20,000-decision run stayed above LinFullPost's (2.2 against 1.5 on 5 seeds at delta 0.9).</li>
     * </ul>
     * Its training is {@link TrainingRecipe#forRealRewards()}.
     */
    public static NeuralLinearConfig vitrineRealRewards() {
        return new NeuralLinearConfig(Scope.SHARED, new int[]{64}, NigPrior.WHEEL_PAPER, 500, 400, 256,
                0.01, 1e-4, 5.0, 0, Forgetting.halfLife(50_000), true, MlpTrainer.Loss.SQUARED, 0, false);
    }

    public NeuralLinearConfig withScope(Scope newScope) {
        return new NeuralLinearConfig(newScope, hiddenLayers, prior, trainEvery, trainSteps, batchSize, learningRate,
                lrDecayRate, maxGradNorm, initialPulls, forgetting, wide, loss, initScale, resetLearningRate);
    }

    public NeuralLinearConfig withHiddenLayers(int... newHiddenLayers) {
        return new NeuralLinearConfig(scope, newHiddenLayers, prior, trainEvery, trainSteps, batchSize, learningRate,
                lrDecayRate, maxGradNorm, initialPulls, forgetting, wide, loss, initScale, resetLearningRate);
    }

    public NeuralLinearConfig withPrior(NigPrior newPrior) {
        return new NeuralLinearConfig(scope, hiddenLayers, newPrior, trainEvery, trainSteps, batchSize, learningRate,
                lrDecayRate, maxGradNorm, initialPulls, forgetting, wide, loss, initScale, resetLearningRate);
    }

    /** The network schedule: retrain every {@code every} rewards for {@code steps} batches of {@code batch} rows. */
    public NeuralLinearConfig withTraining(int every, int steps, int batch) {
        return new NeuralLinearConfig(scope, hiddenLayers, prior, every, steps, batch, learningRate,
                lrDecayRate, maxGradNorm, initialPulls, forgetting, wide, loss, initScale, resetLearningRate);
    }

    /** The optimiser: initial learning rate, its inverse-time decay, and whether each retraining restarts it. */
    public NeuralLinearConfig withLearningRate(double rate, double decay, boolean reset) {
        return new NeuralLinearConfig(scope, hiddenLayers, prior, trainEvery, trainSteps, batchSize, rate,
                decay, maxGradNorm, initialPulls, forgetting, wide, loss, initScale, reset);
    }

    public NeuralLinearConfig withForgetting(Forgetting newForgetting) {
        return new NeuralLinearConfig(scope, hiddenLayers, prior, trainEvery, trainSteps, batchSize, learningRate,
                lrDecayRate, maxGradNorm, initialPulls, newForgetting, wide, loss, initScale, resetLearningRate);
    }

    public NeuralLinearConfig withInitialPulls(int newInitialPulls) {
        return new NeuralLinearConfig(scope, hiddenLayers, prior, trainEvery, trainSteps, batchSize, learningRate,
                lrDecayRate, maxGradNorm, newInitialPulls, forgetting, wide, loss, initScale, resetLearningRate);
    }

    /** The network's form: wide or plain z, the loss, and the initial weight scale (0 for He/Xavier). */
    public NeuralLinearConfig withNetwork(boolean newWide, MlpTrainer.Loss newLoss, double newInitScale) {
        return new NeuralLinearConfig(scope, hiddenLayers, prior, trainEvery, trainSteps, batchSize, learningRate,
                lrDecayRate, maxGradNorm, initialPulls, forgetting, newWide, newLoss, newInitScale, resetLearningRate);
    }

    /**
     * The training recipe of this setting, as {@link NeuralLinearPolicy} runs it in SHARED scope and a deployment's
     * trainer runs it on the reward log: the network's form, the optimiser and the schedule of this config, rows
     * drawn with the posteriors' forgetting, warm-started from the serving network, the newest share of
     * {@link TrainingRecipe#defaults()} held out. The learning-rate schedule restarts with every training (the
     * trainer keeps no optimiser state between versions), so {@code resetLearningRate} does not apply.
     */
    public TrainingRecipe recipe() {
        TrainingRecipe defaults = TrainingRecipe.defaults();
        return new TrainingRecipe(hiddenLayers, wide, loss, initScale, learningRate, lrDecayRate, maxGradNorm,
                batchSize, Math.max(1, trainSteps), defaults.warmStart(), defaults.window(), forgetting,
                defaults.heldOutFraction(), defaults.seed());
    }

    /** A copy of the widths. */
    @Override
    public int[] hiddenLayers() {
        return hiddenLayers.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NeuralLinearConfig c && scope == c.scope && Arrays.equals(hiddenLayers, c.hiddenLayers)
                && prior.equals(c.prior) && trainEvery == c.trainEvery && trainSteps == c.trainSteps
                && batchSize == c.batchSize && Double.compare(learningRate, c.learningRate) == 0
                && Double.compare(lrDecayRate, c.lrDecayRate) == 0 && Double.compare(maxGradNorm, c.maxGradNorm) == 0
                && initialPulls == c.initialPulls && forgetting.equals(c.forgetting) && wide == c.wide
                && loss == c.loss && Double.compare(initScale, c.initScale) == 0
                && resetLearningRate == c.resetLearningRate;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(hiddenLayers) + java.util.Objects.hash(scope, prior, trainEvery, trainSteps,
                batchSize, learningRate, lrDecayRate, maxGradNorm, initialPulls, forgetting, wide, loss, initScale,
                resetLearningRate);
    }

    @Override
    public String toString() {
        return "NeuralLinearConfig[scope=" + scope + ", hiddenLayers=" + Arrays.toString(hiddenLayers) + ", prior="
                + prior + ", trainEvery=" + trainEvery + ", trainSteps=" + trainSteps + ", batchSize=" + batchSize
                + ", learningRate=" + learningRate + ", lrDecayRate=" + lrDecayRate + ", maxGradNorm=" + maxGradNorm
                + ", initialPulls=" + initialPulls + ", forgetting=" + forgetting + ", wide=" + wide + ", loss=" + loss
                + ", initScale=" + initScale + ", resetLearningRate=" + resetLearningRate + "]";
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
        }
    }
}
