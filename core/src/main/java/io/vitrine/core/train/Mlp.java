package io.vitrine.core.train;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.util.Arrays;

/**
 * A fully connected network with ReLU hidden layers and linear output heads, in double precision:
 * <pre>
 *   h_0 = x                                   (F inputs)
 *   h_l = Relu(h_{l-1} W_l + c_l)             l = 1..L, W_l: n_{l-1} x n_l
 *   z   = h_L                                 the embedding, d = n_L              (plain)
 *   z   = [1, x, h_L]                         d = 1 + F + n_L                     (wide)
 *   y_k = z . V_k + e_k                       one linear head per output k = 1..K
 * </pre>
 * This is the network of NeuralLinear (Riquelme et al. 2018, {@code neural_bandit_model.py}): z feeds the Bayesian
 * linear regression, the heads only exist to train z. The plain form is the paper's. The wide form also hands the
 * constant and the raw input to the linear model, so a linear posterior over z can always do at least what linear
 * Thompson sampling on the raw features does, and the hidden layers only have to learn what is not linear; the
 * heads read the same z, so the network is trained for exactly the linear model the posterior fits. It is hand-written because no Java library both trains a
 * small network and exports it to ONNX; at these sizes (tens of units) plain loops over flat arrays are fast.
 * <p>
 * All parameters live in one flat array, layer by layer: W_l row-major (input index major), then c_l; then the
 * heads V (d x K row-major), then e. {@link MlpTrainer} updates it in place. Mutable, not thread-safe.
 */
public final class Mlp {

    private final int inputs;
    private final int[] hidden;
    private final int heads;
    /** True when z = [1, x, h_L] rather than h_L. */
    private final boolean wide;
    /** d, the width of z. */
    private final int embedding;
    /** sizes[0] = inputs, sizes[l] = hidden[l - 1], sizes[L + 1] = heads. */
    private final int[] sizes;
    /** Offset of W_l (l = 0..L, the last being V) in theta; the biases follow each matrix. */
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final double[] theta;

    private Mlp(int inputs, int[] hidden, int heads, boolean wide, double[] theta) {
        this.inputs = inputs;
        this.hidden = hidden.clone();
        this.heads = heads;
        this.wide = wide;
        int L = hidden.length;
        this.embedding = (wide ? 1 + inputs : 0) + hidden[L - 1];
        this.sizes = new int[L + 2];
        sizes[0] = inputs;
        System.arraycopy(hidden, 0, sizes, 1, L);
        sizes[L + 1] = heads;
        this.weightOffset = new int[L + 1];
        this.biasOffset = new int[L + 1];
        int offset = 0;
        for (int l = 0; l <= L; l++) {
            weightOffset[l] = offset;
            offset += (l == L ? embedding : sizes[l]) * sizes[l + 1];
            biasOffset[l] = offset;
            offset += sizes[l + 1];
        }
        if (theta == null) {
            theta = new double[offset];
        } else if (theta.length != offset) {
            throw new IllegalArgumentException("a " + (wide ? "wide " : "") + "network with " + inputs
                    + " inputs, hidden layers " + Arrays.toString(hidden) + " and " + heads + " heads has " + offset
                    + " parameters, got " + theta.length);
        }
        this.theta = theta;
    }

    /**
     * A plain network (z = h_L) with random weights from {@code seed} and zero biases: He-uniform weights
     * {@code U(-sqrt(6 / fan_in), sqrt(6 / fan_in))} for the ReLU layers, which keeps the activations' scale
     * through the layers, and Xavier-uniform {@code U(-sqrt(6 / (fan_in + fan_out)), ...)} for the linear heads.
     */
    public static Mlp initialize(int inputs, int[] hidden, int heads, long seed) {
        return initialize(inputs, hidden, heads, false, 0, seed);
    }

    /**
     * A network with random weights from {@code seed} and zero biases.
     *
     * @param wide      z = [1, x, h_L] instead of h_L
     * @param initScale &gt; 0: every weight {@code U(-initScale, initScale)}, as the reference code's
     *                  {@code init_scale}; 0: He-uniform for the ReLU layers and Xavier-uniform for the heads
     */
    public static Mlp initialize(int inputs, int[] hidden, int heads, boolean wide, double initScale, long seed) {
        if (!(initScale >= 0) || Double.isInfinite(initScale)) {
            throw new IllegalArgumentException("initScale must be a finite number >= 0, got " + initScale);
        }
        Mlp mlp = new Mlp(checkedInputs(inputs), checkedHidden(hidden), checkedHeads(heads), wide, null);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        int L = hidden.length;
        for (int l = 0; l <= L; l++) {
            int fanIn = l < L ? mlp.sizes[l] : mlp.embedding;
            int fanOut = mlp.sizes[l + 1];
            double limit = initScale > 0 ? initScale
                    : l < L ? Math.sqrt(6.0 / fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0, o = mlp.weightOffset[l]; i < fanIn * fanOut; i++) {
                mlp.theta[o + i] = limit * (2 * rng.nextDouble() - 1);
            }
        }
        return mlp;
    }

    /** A network with the given parameters (copied), laid out as described in the class comment. */
    public static Mlp of(int inputs, int[] hidden, int heads, double[] parameters) {
        return of(inputs, hidden, heads, false, parameters);
    }

    /** A plain or wide network with the given parameters (copied), laid out as described in the class comment. */
    public static Mlp of(int inputs, int[] hidden, int heads, boolean wide, double[] parameters) {
        if (parameters == null) {
            throw new IllegalArgumentException("parameters must not be null");
        }
        Mlp mlp = new Mlp(checkedInputs(inputs), checkedHidden(hidden), checkedHeads(heads), wide,
                parameters.clone());
        for (int i = 0; i < parameters.length; i++) {
            if (!Double.isFinite(parameters[i])) {
                throw new IllegalArgumentException("parameter " + i + " is not finite: " + parameters[i]);
            }
        }
        return mlp;
    }

    /** An independent copy. */
    public Mlp copy() {
        return new Mlp(inputs, hidden, heads, wide, theta.clone());
    }

    public int inputs() {
        return inputs;
    }

    public int[] hiddenLayers() {
        return hidden.clone();
    }

    /** d, the width of z: the last hidden layer, plus 1 + F when wide. */
    public int embeddingDimension() {
        return embedding;
    }

    /** True when z = [1, x, h_L]. */
    public boolean wide() {
        return wide;
    }

    public int heads() {
        return heads;
    }

    public int parameterCount() {
        return theta.length;
    }

    /** A copy of all parameters. */
    public double[] parameters() {
        return theta.clone();
    }

    /** W_l as a row-major n_{l-1} x n_l copy, l = 1..L (hidden layers), l = L + 1 for the heads (d x K). */
    public double[] weights(int layer) {
        requireLayer(layer);
        int size = (layer == hidden.length + 1 ? embedding : sizes[layer - 1]) * sizes[layer];
        return Arrays.copyOfRange(theta, weightOffset[layer - 1], weightOffset[layer - 1] + size);
    }

    /** c_l (or e for l = L + 1) as a copy. */
    public double[] biases(int layer) {
        requireLayer(layer);
        return Arrays.copyOfRange(theta, biasOffset[layer - 1], biasOffset[layer - 1] + sizes[layer]);
    }

    /** The embedding z of one input row. */
    public double[] embed(float[] x) {
        double[][] h = activations();
        forward(x, h);
        double[] z = new double[embedding];
        embedding(h, z);
        return z;
    }

    /** The embedding as floats, the type the posteriors and the ONNX encoder use. */
    public float[] embedFloat(float[] x) {
        double[] z = embed(x);
        float[] f = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            f[i] = (float) z[i];
        }
        return f;
    }

    /** All K head outputs for one input row. */
    public double[] predict(float[] x) {
        double[] z = embed(x);
        double[] y = new double[heads];
        for (int k = 0; k < heads; k++) {
            y[k] = head(z, k);
        }
        return y;
    }

    /** Work arrays for {@link #forward}: h[0] holds the input, h[l] the output of hidden layer l = 1..L. */
    double[][] activations() {
        double[][] h = new double[hidden.length + 1][];
        for (int l = 0; l < hidden.length; l++) {
            h[l + 1] = new double[hidden[l]];
        }
        h[0] = new double[inputs];
        return h;
    }

    /**
     * Fills h[l] with the layer outputs, h[0] with x as doubles, so that the trainer can back-propagate without
     * recomputing them.
     */
    void forward(float[] x, double[][] h) {
        requireInput(x);
        double[] in = h[0];
        for (int i = 0; i < inputs; i++) {
            in[i] = x[i];
        }
        for (int l = 0; l < hidden.length; l++) {
            double[] prev = h[l];
            double[] out = h[l + 1];
            int nIn = sizes[l];
            int nOut = sizes[l + 1];
            int w = weightOffset[l];
            System.arraycopy(theta, biasOffset[l], out, 0, nOut);
            for (int i = 0; i < nIn; i++) {
                double xi = prev[i];
                if (xi == 0) {
                    continue; // ReLU zeros are common; skipping them is exact
                }
                int row = w + i * nOut;
                for (int j = 0; j < nOut; j++) {
                    out[j] += xi * theta[row + j];
                }
            }
            for (int j = 0; j < nOut; j++) {
                if (out[j] < 0) {
                    out[j] = 0;
                }
            }
        }
    }

    /** Writes z for the activations h of {@link #forward}: h_L, or [1, x, h_L] when wide. */
    void embedding(double[][] h, double[] z) {
        double[] last = h[hidden.length];
        if (wide) {
            z[0] = 1;
            System.arraycopy(h[0], 0, z, 1, inputs);
            System.arraycopy(last, 0, z, 1 + inputs, last.length);
        } else {
            System.arraycopy(last, 0, z, 0, last.length);
        }
    }

    /** Index of h_L's first unit in z. */
    int hiddenOffsetInEmbedding() {
        return wide ? 1 + inputs : 0;
    }

    /** y_k = z . V_k + e_k. */
    double head(double[] z, int k) {
        int L = hidden.length;
        int v = weightOffset[L];
        double y = theta[biasOffset[L] + k];
        for (int j = 0; j < z.length; j++) {
            y += z[j] * theta[v + j * heads + k];
        }
        return y;
    }

    double[] theta() {
        return theta;
    }

    int[] sizes() {
        return sizes;
    }

    int weightOffset(int l) {
        return weightOffset[l];
    }

    int biasOffset(int l) {
        return biasOffset[l];
    }

    void requireInput(float[] x) {
        if (x == null || x.length != inputs) {
            throw new IllegalArgumentException("input row has " + (x == null ? "no" : x.length)
                    + " features, the network expects " + inputs);
        }
    }

    private void requireLayer(int layer) {
        if (layer < 1 || layer > hidden.length + 1) {
            throw new IllegalArgumentException("layer must be in 1.." + (hidden.length + 1) + ", got " + layer);
        }
    }

    private static int checkedInputs(int inputs) {
        if (inputs < 1) {
            throw new IllegalArgumentException("a network needs at least one input, got " + inputs);
        }
        return inputs;
    }

    private static int[] checkedHidden(int[] hidden) {
        if (hidden == null || hidden.length == 0) {
            throw new IllegalArgumentException("a network needs at least one hidden layer: its output is the embedding");
        }
        for (int l = 0; l < hidden.length; l++) {
            if (hidden[l] < 1) {
                throw new IllegalArgumentException("hidden layer " + (l + 1) + " must have at least one unit, got "
                        + hidden[l] + " in " + Arrays.toString(hidden));
            }
        }
        return hidden;
    }

    private static int checkedHeads(int heads) {
        if (heads < 1) {
            throw new IllegalArgumentException("a network needs at least one output head, got " + heads);
        }
        return heads;
    }

    @Override
    public String toString() {
        return "Mlp{inputs=" + inputs + ", hidden=" + Arrays.toString(hidden) + ", heads=" + heads + ", wide=" + wide
                + ", parameters=" + theta.length + "}";
    }
}
