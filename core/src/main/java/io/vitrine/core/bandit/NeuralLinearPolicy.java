package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpOnnxExporter;
import io.vitrine.core.train.MlpTrainer;
import io.vitrine.core.train.RewardNetworkTraining;
import io.vitrine.core.train.RewardRows;
import io.vitrine.core.train.TrainingRecipe;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NeuralLinear (Riquelme, Tucker and Snoek, "Deep Bayesian Bandits Showdown", ICLR 2018, section 3 and
 * {@code neural_linear_sampling.py} of the reference code): a network learns a representation z of the input, and
 * Thompson sampling runs on a Bayesian linear regression over z,
 * <pre>
 *   Lambda = sum z z^T + lambda I,  mu = Lambda^-1 sum r z,  a = a0 + n / 2,  b_n = b0 + (yy - mu^T Lambda mu) / 2
 *   s2 ~ InvGamma(a, b_n),  beta ~ N(mu, s2 Lambda^-1),  play argmax_a z_a . beta
 * </pre>
 * The posteriors are updated after every reward with the current network; every {@code trainEvery} rewards the
 * network is trained for {@code trainSteps} mini-batches on all data and the posteriors are recomputed from all
 * data with the new z ("retrain the network, recompute the posterior"), so the uncertainty stays consistent with
 * the representation. With {@link NeuralLinearConfig.Scope#PER_ARM} the network reads the context and has one head
 * per arm, trained on the played arm's reward only, and there is one posterior per arm; with
 * {@link NeuralLinearConfig.Scope#SHARED} it reads {@code concat(context, arm features)}, has one head, and one
 * posterior serves all arms (drawn once per round).
 * <p>
 * Forgetting, when configured, applies to the posterior statistics (replayed in order after a retraining, so they
 * equal the incremental ones) and to the network's training data: mini-batch rows are drawn with the same weights
 * {@code gamma^age}, age counted in rewards of the whole policy (for PER_ARM posteriors the age counts the arm's own
 * rewards, the reference has no forgetting to follow here).
 * <p>
 * Randomness: Thompson draws and tie-breaks use one generator seeded with {@code seed}; the network's
 * initialisation and mini-batch sampling use others derived from it, so the same seed and the same rewards give
 * the same choices. Not thread-safe.
 */
public final class NeuralLinearPolicy implements Policy {

    /** Golden-ratio increments separate the generators' seeds (as SplitMix64 does). */
    static final long SEED_STEP = 0x9E3779B97F4A7C15L;

    private final NeuralLinearConfig config;
    private final TrainingRecipe recipe;
    private final long seed;
    private final UniformRandomProvider rng;
    private final UniformRandomProvider batchRng;
    private final InitialPulls initialPulls;
    private final double gamma;

    private Mlp mlp;
    private MlpTrainer trainer;
    private int contextFeatures = -1;
    private int armFeatures = -1;
    /** PER_ARM: arm id -&gt; head and posterior index, fixed by the first round. */
    private final Map<String, Integer> heads = new HashMap<>();
    private SufficientStatistics[] statistics;
    private NormalInverseGammaPosterior[] posteriors;

    /** All data so far: network input, head (= posterior index), reward. */
    private float[][] inputs = new float[64][];
    private int[] rowHeads = new int[64];
    private double[] rewards = new double[64];
    private int n;
    private int[] batch;

    public NeuralLinearPolicy(NeuralLinearConfig config, long seed) {
        this(config, config == null ? null : config.recipe(), seed);
    }

    /**
     * A policy whose SHARED-scope retraining follows {@code recipe} instead of {@link NeuralLinearConfig#recipe()}
     * (its seed is replaced per retraining); the recipe's network form must be the config's.
     */
    public NeuralLinearPolicy(NeuralLinearConfig config, TrainingRecipe recipe, long seed) {
        if (config == null || recipe == null) {
            throw new IllegalArgumentException("config and recipe must not be null");
        }
        if (!java.util.Arrays.equals(recipe.hiddenLayers(), config.hiddenLayers()) || recipe.wide() != config.wide()
                || recipe.loss() != config.loss()) {
            throw new IllegalArgumentException("the recipe's network (hidden " + java.util.Arrays.toString(
                    recipe.hiddenLayers()) + ", wide " + recipe.wide() + ", " + recipe.loss() + ") is not the config's"
                    + " (hidden " + java.util.Arrays.toString(config.hiddenLayers()) + ", wide " + config.wide() + ", "
                    + config.loss() + ")");
        }
        this.config = config;
        this.recipe = recipe;
        this.seed = seed;
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        this.batchRng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed + 2 * SEED_STEP);
        this.initialPulls = new InitialPulls(config.initialPulls());
        this.gamma = config.forgetting().factor();
    }

    public NeuralLinearConfig config() {
        return config;
    }

    @Override
    public String name() {
        return config.scope() == NeuralLinearConfig.Scope.PER_ARM ? "NeuralLinear" : "NeuralLinear(SHARED)";
    }

    @Override
    public int choose(Round round) {
        initialize(round);
        List<Arm> arms = round.arms();
        int K = arms.size();
        float[][] x = new float[K][];
        int[] armHeads = new int[K];
        boolean perArm = config.scope() == NeuralLinearConfig.Scope.PER_ARM;
        for (int a = 0; a < K; a++) {
            x[a] = input(round, a);
            // Checked before the round-robin so that an unknown arm fails at once, not after the initial pulls.
            armHeads[a] = perArm ? head(arms.get(a)) : 0;
        }
        int roundRobin = initialPulls.next(arms);
        if (roundRobin >= 0) {
            return roundRobin;
        }
        double[] scores = new double[K];
        if (perArm) {
            // One z for the context, one beta per arm.
            float[] z = mlp.embedFloat(x[0]);
            for (int a = 0; a < K; a++) {
                scores[a] = dot(z, sampleBeta(armHeads[a]));
            }
        } else {
            // One beta for the round, one z per arm.
            double[] beta = sampleBeta(0);
            for (int a = 0; a < K; a++) {
                scores[a] = dot(mlp.embedFloat(x[a]), beta);
            }
        }
        return Choices.argmax(scores, rng);
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        Choices.requireChosen(round, chosen);
        Choices.requireFinite(reward);
        if (config.loss() == MlpTrainer.Loss.LOGISTIC && !(reward >= 0 && reward <= 1)) {
            throw new IllegalArgumentException("the logistic loss needs rewards in [0, 1] (clicks), got " + reward);
        }
        initialize(round);
        Arm arm = round.arms().get(chosen);
        float[] x = input(round, chosen);
        int head = config.scope() == NeuralLinearConfig.Scope.PER_ARM ? head(arm) : 0;
        append(x, head, reward);
        initialPulls.played(arm);
        statistics[head].update(mlp.embedFloat(x), reward, gamma);
        posteriors[head] = null;
        if (n % config.trainEvery() == 0 && config.trainSteps() > 0) {
            retrain();
        }
    }

    /**
     * Trains the network on all data, then rebuilds every posterior's statistics with the new z from the prior. In
     * SHARED scope the training is the one a deployment's trainer runs, {@link RewardNetworkTraining} with
     * the recipe (by default {@link NeuralLinearConfig#recipe()}) given the current network as the serving one, so that this policy measures
     * what the live system does.
     */
    private void retrain() {
        if (config.scope() == NeuralLinearConfig.Scope.SHARED) {
            RewardRows rows = RewardRows.view(contextFeatures, armFeatures, inputs, rewards, n);
            mlp = RewardNetworkTraining.train(rows, mlp, recipe.withSeed(seed + 2 * SEED_STEP + n)).network();
        } else {
            trainPerArm();
        }
        for (int k = 0; k < statistics.length; k++) {
            statistics[k] = SufficientStatistics.empty(mlp.embeddingDimension());
            posteriors[k] = null;
        }
        // Replayed in arrival order so that forgetting weighs each row as the incremental updates did.
        for (int i = 0; i < n; i++) {
            statistics[rowHeads[i]].update(mlp.embedFloat(inputs[i]), rewards[i], gamma);
        }
    }

    /** The reference code's training: one optimiser for the whole run, {@code trainSteps} batches of all data. */
    private void trainPerArm() {
        if (config.resetLearningRate()) {
            trainer.resetLearningRate();
        }
        for (int s = 0; s < config.trainSteps(); s++) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = sampleRow();
            }
            trainer.step(inputs, rowHeads, rewards, batch);
        }
    }

    /**
     * A row for a mini-batch. Without forgetting, uniform over all rows, as the reference code's
     * {@code get_batch_with_weights}. With forgetting, row i is drawn with probability proportional to
     * {@code gamma^(n-1-i)}, the weight the posteriors give it, so the representation follows a drift too: a
     * network fitted uniformly to all rows would keep encoding the old click rates. The age k = n-1-i then follows
     * a geometric law truncated at n, drawn by inverting its distribution function
     * {@code F(k) = (1 - gamma^(k+1)) / (1 - gamma^n)}.
     */
    private int sampleRow() {
        if (gamma == 1) {
            return batchRng.nextInt(n);
        }
        double u = batchRng.nextDouble();
        double k = Math.floor(Math.log1p(-u * -Math.expm1(n * Math.log(gamma))) / Math.log(gamma));
        // Rounding can only push k past the oldest row; clamp it there.
        return n - 1 - (int) Math.min(Math.max(k, 0), n - 1);
    }

    /**
     * The trunk of the current network as an ONNX encoder (docs/encoder.md): with SHARED scope its input is
     * {@code concat(context, arm features)}, with PER_ARM the context alone.
     *
     * @throws IllegalStateException before the first round, when the input layout is not known yet
     */
    public byte[] exportEncoder(String version) {
        if (mlp == null) {
            throw new IllegalStateException("the network is built on the first round; nothing to export yet");
        }
        return MlpOnnxExporter.export(mlp, contextFeatures, Math.max(armFeatures, 0), version);
    }

    /** A copy of the current network, or null before the first round. */
    public Mlp network() {
        return mlp == null ? null : mlp.copy();
    }

    /** Number of rewards learned so far. */
    public int observations() {
        return n;
    }

    private void initialize(Round round) {
        if (mlp != null) {
            return;
        }
        contextFeatures = round.context().length;
        int inputsCount;
        int headCount;
        if (config.scope() == NeuralLinearConfig.Scope.PER_ARM) {
            List<Arm> arms = round.arms();
            for (int a = 0; a < arms.size(); a++) {
                if (heads.putIfAbsent(arms.get(a).id(), a) != null) {
                    throw new IllegalArgumentException("arm id '" + arms.get(a).id() + "' appears twice in a round");
                }
            }
            inputsCount = contextFeatures;
            headCount = arms.size();
        } else {
            float[] f = round.arms().get(0).features();
            armFeatures = f == null ? 0 : f.length;
            inputsCount = contextFeatures + armFeatures;
            headCount = 1;
        }
        if (inputsCount < 1) {
            throw new IllegalArgumentException("NeuralLinear needs at least one input feature (" + config.scope()
                    + " scope reads " + (config.scope() == NeuralLinearConfig.Scope.PER_ARM ? "the context"
                    : "the context and the arm features") + "), got none");
        }
        mlp = Mlp.initialize(inputsCount, config.hiddenLayers(), headCount, config.wide(), config.initScale(),
                seed + SEED_STEP);
        trainer = new MlpTrainer(mlp, config.learningRate(), config.lrDecayRate(), config.maxGradNorm(),
                config.loss());
        statistics = new SufficientStatistics[headCount];
        posteriors = new NormalInverseGammaPosterior[headCount];
        for (int k = 0; k < headCount; k++) {
            statistics[k] = SufficientStatistics.empty(mlp.embeddingDimension());
        }
        batch = new int[config.batchSize()];
    }

    /** The network input of arm a: the context (PER_ARM) or context and arm features (SHARED), checked. */
    private float[] input(Round round, int a) {
        float[] context = round.context();
        if (context.length != contextFeatures) {
            throw new IllegalArgumentException("context has " + context.length + " features, the network was built for "
                    + contextFeatures);
        }
        float[] x;
        if (config.scope() == NeuralLinearConfig.Scope.PER_ARM) {
            x = context;
        } else {
            Arm arm = round.arms().get(a);
            float[] f = arm.features() == null ? new float[0] : arm.features();
            if (f.length != armFeatures) {
                throw new IllegalArgumentException("arm '" + arm.id() + "' has " + f.length
                        + " features, the network was built for " + armFeatures);
            }
            x = Arrays.copyOf(context, contextFeatures + armFeatures);
            System.arraycopy(f, 0, x, contextFeatures, armFeatures);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("input feature " + i + " is not finite: " + x[i]);
            }
        }
        return x;
    }

    private int head(Arm arm) {
        Integer head = heads.get(arm.id());
        if (head == null) {
            throw new IllegalArgumentException("arm '" + arm.id() + "' was not in the first round; PER_ARM scope has "
                    + "one output head per arm, fixed at the start (arms " + heads.keySet()
                    + "); use SHARED scope for changing arms");
        }
        return head;
    }

    private double[] sampleBeta(int k) {
        if (posteriors[k] == null) {
            posteriors[k] = NormalInverseGammaPosterior.fromStatistics(statistics[k], config.prior());
        }
        double[] beta = new double[mlp.embeddingDimension()];
        posteriors[k].sampleBeta(rng, beta);
        return beta;
    }

    private void append(float[] x, int head, double reward) {
        if (n == inputs.length) {
            int capacity = 2 * n;
            inputs = Arrays.copyOf(inputs, capacity);
            rowHeads = Arrays.copyOf(rowHeads, capacity);
            rewards = Arrays.copyOf(rewards, capacity);
        }
        inputs[n] = x.clone();
        rowHeads[n] = head;
        rewards[n] = reward;
        n++;
    }

    private static double dot(float[] z, double[] beta) {
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            s += z[i] * beta[i];
        }
        return s;
    }
}
