package io.vitrine.core.train;

import java.util.Arrays;

/**
 * Mini-batch training of an {@link Mlp} with partial feedback, as in the reference code of Riquelme et al. (2018)
 * ({@code neural_bandit_model.py}): each row i has an input x_i, the head k_i that was observed (the arm played)
 * and its target y_i; only that head's loss counts,
 * <pre>
 *   cost = (1 / B) sum_i (y_hat_{k_i}(x_i) - y_i)^2                       {@link Loss#SQUARED}, B = batch size
 *   cost = (1 / B) sum_i -[y_i log p_i + (1 - y_i) log(1 - p_i)],         {@link Loss#LOGISTIC},
 *          p_i = sigmoid(y_hat_{k_i}(x_i))
 * </pre>
 * (squared: the reference's one-hot weight mask, {@code reduce_sum(weights * (y_pred - y)^2) / batch_size}; logistic
 * is for 0/1 clicks, where squared error on rare positives gives gradients dominated by the many zeros). Each step
 * clips the gradient g by its global norm, {@code g <- g * maxGradNorm / max(|g|, maxGradNorm)}
 * ({@code tf.clip_by_global_norm}), then applies RMSProp as TensorFlow 1's {@code RMSPropOptimizer} with its
 * defaults (decay rho = 0.9, no momentum, epsilon = 1e-10, mean square initialised to 1):
 * <pre>
 *   ms    <- rho ms + (1 - rho) g^2
 *   theta <- theta - lr_t g / sqrt(ms + epsilon)
 *   lr_t  = lr_0 / (1 + decayRate t)                         ({@code inverse_time_decay}, decay_steps = 1)
 * </pre>
 * t counts steps since the last {@link #resetLearningRate()} (the reference's {@code reset_lr}).
 * <p>
 * Hand-written, like {@link Mlp}, because no Java library trains a network and exports ONNX. The back-propagation
 * is plain loops over preallocated arrays: a step allocates nothing. Not thread-safe.
 */
public final class MlpTrainer {

    /** The per-row loss. */
    public enum Loss {
        /** (y_hat - y)^2: the reference's, for real-valued rewards. */
        SQUARED,
        /** Cross-entropy of sigmoid(y_hat) against y in [0, 1]: the head's output is a click log-odds. */
        LOGISTIC
    }

    /** TensorFlow 1 RMSPropOptimizer defaults. */
    static final double RMS_DECAY = 0.9;
    static final double RMS_EPSILON = 1e-10;

    private final Mlp mlp;
    private final double learningRate;
    private final double decayRate;
    private final double maxGradNorm;
    private final Loss loss;
    private final double[] grad;
    private final double[] meanSquare;
    private final boolean biasCorrected;
    /** rho^t over all steps of this optimiser, for the bias correction. */
    private double rhoPower = 1;
    /** h[l]: forward activations of one row; delta[l]: d cost / d (pre-activation of layer l) for that row. */
    private final double[][] h;
    private final double[][] delta;
    /** z of one row. */
    private final double[] z;
    private long step;

    /**
     * @param learningRate initial learning rate lr_0 &gt; 0
     * @param decayRate    inverse-time decay rate &gt;= 0 (0 keeps lr_0)
     * @param maxGradNorm  global-norm clipping threshold &gt; 0 ({@code Double.POSITIVE_INFINITY}: no clipping)
     */
    public MlpTrainer(Mlp mlp, double learningRate, double decayRate, double maxGradNorm) {
        this(mlp, learningRate, decayRate, maxGradNorm, Loss.SQUARED);
    }

    /** A trainer with the given loss and TensorFlow 1's RMSProp (mean square initialised to 1). */
    public MlpTrainer(Mlp mlp, double learningRate, double decayRate, double maxGradNorm, Loss loss) {
        this(mlp, learningRate, decayRate, maxGradNorm, loss, false);
    }

    /**
     * A trainer with the given loss and RMSProp variant.
     *
     * @param biasCorrected false: TensorFlow 1's RMSProp, mean square initialised to 1, so the first steps of a fresh
     *                      optimiser are about {@code lr g}, tiny for small gradients, until the mean square has
     *                      decayed to g^2 (tens of steps); true: mean square initialised to 0 and divided by
     *                      {@code 1 - rho^t} (Adam's correction, without momentum), so every step is about lr per
     *                      parameter from the first. A network trained by a fresh optimiser each time (a warm-started
     *                      retraining) needs the latter to make progress in a short training
     */
    public MlpTrainer(Mlp mlp, double learningRate, double decayRate, double maxGradNorm, Loss loss,
                      boolean biasCorrected) {
        if (mlp == null || loss == null) {
            throw new IllegalArgumentException("network and loss must not be null");
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + learningRate);
        }
        if (!(decayRate >= 0) || Double.isInfinite(decayRate)) {
            throw new IllegalArgumentException("learning-rate decay must be a finite number >= 0, got " + decayRate);
        }
        if (!(maxGradNorm > 0)) {
            throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxGradNorm);
        }
        this.mlp = mlp;
        this.learningRate = learningRate;
        this.decayRate = decayRate;
        this.maxGradNorm = maxGradNorm;
        this.loss = loss;
        this.grad = new double[mlp.parameterCount()];
        this.meanSquare = new double[mlp.parameterCount()];
        this.biasCorrected = biasCorrected;
        if (!biasCorrected) {
            Arrays.fill(meanSquare, 1.0);
        }
        this.h = mlp.activations();
        this.delta = mlp.activations();
        this.z = new double[mlp.embeddingDimension()];
    }

    public Mlp network() {
        return mlp;
    }

    /** Restarts the learning-rate schedule at lr_0 (the reference resets it before each retraining). */
    public void resetLearningRate() {
        step = 0;
    }

    /** The learning rate the next step will use. */
    public double currentLearningRate() {
        return learningRate / (1 + decayRate * step);
    }

    /**
     * One RMSProp step on the rows {@code batch} (indices into the data, repeats allowed).
     *
     * @return the cost of the batch before the step
     */
    public double step(float[][] inputs, int[] heads, double[] targets, int[] batch) {
        double cost = lossAndGradient(inputs, heads, targets, batch, grad);
        double norm = 0;
        for (double g : grad) {
            norm += g * g;
        }
        norm = Math.sqrt(norm);
        double clip = norm > maxGradNorm ? maxGradNorm / norm : 1.0;
        double lr = currentLearningRate();
        double[] theta = mlp.theta();
        rhoPower *= RMS_DECAY;
        double correction = biasCorrected ? 1 / (1 - rhoPower) : 1;
        for (int p = 0; p < theta.length; p++) {
            double g = grad[p] * clip;
            meanSquare[p] = RMS_DECAY * meanSquare[p] + (1 - RMS_DECAY) * g * g;
            theta[p] -= lr * g / Math.sqrt(meanSquare[p] * correction + RMS_EPSILON);
        }
        step++;
        return cost;
    }

    /** The masked cost over all rows, the mean of the per-row loss. */
    public double loss(float[][] inputs, int[] heads, double[] targets) {
        requireData(inputs, heads, targets);
        int L = mlp.hiddenLayers().length;
        double sum = 0;
        for (int i = 0; i < inputs.length; i++) {
            mlp.forward(inputs[i], h);
            if (heads[i] < 0 || heads[i] >= mlp.heads()) {
                throw new IllegalArgumentException("row " + i + " names head " + heads[i] + ", the network has "
                        + mlp.heads());
            }
            mlp.embedding(h, z);
            sum += rowLoss(mlp.head(z, heads[i]), targets[i]);
        }
        return inputs.length == 0 ? 0 : sum / inputs.length;
    }

    /**
     * The cost of the rows {@code batch} and its gradient with respect to all parameters (written to {@code g},
     * same layout as the parameters), by back-propagation.
     */
    double lossAndGradient(float[][] inputs, int[] heads, double[] targets, int[] batch, double[] g) {
        requireData(inputs, heads, targets);
        if (batch == null || batch.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        Arrays.fill(g, 0);
        double[] theta = mlp.theta();
        int[] sizes = mlp.sizes();
        int L = sizes.length - 2;
        int K = sizes[L + 1];
        double B = batch.length;
        double cost = 0;
        for (int row : batch) {
            if (row < 0 || row >= inputs.length) {
                throw new IllegalArgumentException("batch row " + row + " is outside the data (0.." + (inputs.length - 1)
                        + ")");
            }
            mlp.forward(inputs[row], h);
            int k = heads[row];
            if (k < 0 || k >= K) {
                throw new IllegalArgumentException("row " + row + " names head " + k + ", the network has " + K);
            }
            mlp.embedding(h, z);
            double out = mlp.head(z, k);
            cost += rowLoss(out, targets[row]) / B;
            // d cost / d y_hat_k: 2 (y_hat - y) for squared error, sigmoid(y_hat) - y for cross-entropy.
            double dy = (loss == Loss.SQUARED ? 2 * (out - targets[row]) : sigmoid(out) - targets[row]) / B;

            // Head k: y_k = z . V_k + e_k.
            int v = mlp.weightOffset(L);
            g[mlp.biasOffset(L) + k] += dy;
            for (int j = 0; j < z.length; j++) {
                g[v + j * K + k] += dy * z[j];
            }
            // Back into h_L only: the constant and the input parts of a wide z have no parameters before them.
            double[] last = h[L];
            double[] dz = delta[L];
            int off = mlp.hiddenOffsetInEmbedding();
            for (int j = 0; j < last.length; j++) {
                // Through the ReLU: h > 0 exactly when the pre-activation is > 0.
                dz[j] = last[j] > 0 ? dy * theta[v + (off + j) * K + k] : 0;
            }
            // Hidden layers, last to first: h_l = Relu(h_{l-1} W_l + c_l).
            for (int l = L; l >= 1; l--) {
                double[] d = delta[l];
                double[] prev = h[l - 1];
                int nIn = sizes[l - 1];
                int nOut = sizes[l];
                int w = mlp.weightOffset(l - 1);
                int c = mlp.biasOffset(l - 1);
                for (int j = 0; j < nOut; j++) {
                    g[c + j] += d[j];
                }
                double[] dPrev = l > 1 ? delta[l - 1] : null;
                for (int i = 0; i < nIn; i++) {
                    double xi = prev[i];
                    int r = w + i * nOut;
                    double back = 0;
                    for (int j = 0; j < nOut; j++) {
                        g[r + j] += xi * d[j];
                        back += theta[r + j] * d[j];
                    }
                    if (dPrev != null) {
                        dPrev[i] = xi > 0 ? back : 0;
                    }
                }
            }
        }
        return cost;
    }

    private double rowLoss(double out, double y) {
        if (loss == Loss.SQUARED) {
            double e = out - y;
            return e * e;
        }
        // -[y log sigmoid(a) + (1 - y) log(1 - sigmoid(a))] = softplus(a) - y a, written to not overflow.
        return Math.max(out, 0) + Math.log1p(Math.exp(-Math.abs(out))) - y * out;
    }

    private static double sigmoid(double a) {
        return 1 / (1 + Math.exp(-a));
    }

    private void requireData(float[][] inputs, int[] heads, double[] targets) {
        if (inputs == null || heads == null || targets == null) {
            throw new IllegalArgumentException("inputs, heads and targets must not be null");
        }
        if (heads.length < inputs.length || targets.length < inputs.length) {
            throw new IllegalArgumentException("inputs, heads and targets must have one entry per row: "
                    + inputs.length + " inputs, " + heads.length + " heads, " + targets.length + " targets");
        }
    }
}
