package io.vitrine.core.train;

/**
 * A trained encoder of the two-tower form: {@code z = [1, x_c, x_a, s]} as {@link BilinearEncoder}'s, with the
 * interaction score {@code s = g(x_c)^T B h(x_a)} of two towers, {@code g(x_c) = x_c + V_c tanh(W_c x_c + b_c)} and
 * {@code h(x_a) = x_a + V_a tanh(W_a x_a + b_a)}: the identity plus a one-hidden-layer correction, so that the
 * bilinear encoder is the member with {@code V = 0} (the training starts there). The representation stays
 * {@code F + 2} dimensions; only the score bends.
 *
 * <p>A form {@code ./vitrine encoder-forms} compares ({@code TWO_TOWER}), not one the trainer serves: on the demo's
 * world it did not beat the bilinear form (docs/encoder.md, "Forms tried beyond the bilinear one"), so it has no
 * ONNX export.
 *
 * @param interaction    B, row-major Fc x Fa
 * @param contextTower   g, over the Fc context features
 * @param candidateTower h, over the Fa candidate features
 */
public record TwoTowerEncoder(double[] interaction, Tower contextTower, Tower candidateTower) {

    /**
     * {@code t(x) = x + V tanh(W x + b)}; with no hidden unit, the identity.
     *
     * @param inputs  width of x, and of t(x)
     * @param hidden  hidden units
     * @param weights W, row-major hidden x inputs
     * @param biases  b, hidden
     * @param outputs V, row-major inputs x hidden
     */
    public record Tower(int inputs, int hidden, double[] weights, double[] biases, double[] outputs) {

        public Tower {
            if (inputs < 1 || hidden < 0) {
                throw new IllegalArgumentException("a tower needs inputs >= 1 and hidden >= 0, got " + inputs
                        + " and " + hidden);
            }
            weights = checked("W", weights, hidden * inputs);
            biases = checked("b", biases, hidden);
            outputs = checked("V", outputs, inputs * hidden);
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        @Override
        public double[] biases() {
            return biases.clone();
        }

        @Override
        public double[] outputs() {
            return outputs.clone();
        }

        /** t(x) of the {@code inputs} values of {@code x} from {@code offset}. */
        double[] apply(float[] x, int offset) {
            double[] t = new double[inputs];
            for (int i = 0; i < inputs; i++) {
                t[i] = x[offset + i];
            }
            for (int u = 0; u < hidden; u++) {
                double a = biases[u];
                for (int i = 0; i < inputs; i++) {
                    a += weights[u * inputs + i] * x[offset + i];
                }
                double tanh = Math.tanh(a);
                for (int i = 0; i < inputs; i++) {
                    t[i] += outputs[i * hidden + u] * tanh;
                }
            }
            return t;
        }

        private static double[] checked(String name, double[] values, int size) {
            if (values == null || values.length != size) {
                throw new IllegalArgumentException("tower matrix " + name + " must have " + size + " entries, got "
                        + (values == null ? "none" : values.length));
            }
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("tower matrix " + name + " holds a value that is not finite");
                }
            }
            return values.clone();
        }
    }

    public TwoTowerEncoder {
        if (contextTower == null || candidateTower == null) {
            throw new IllegalArgumentException("a two-tower encoder needs both towers");
        }
        if (interaction == null || interaction.length != contextTower.inputs() * candidateTower.inputs()) {
            throw new IllegalArgumentException("the interaction matrix must have Fc x Fa = "
                    + contextTower.inputs() * candidateTower.inputs() + " entries");
        }
        interaction = interaction.clone();
    }

    @Override
    public double[] interaction() {
        return interaction.clone();
    }

    public int contextFeatures() {
        return contextTower.inputs();
    }

    public int candidateFeatures() {
        return candidateTower.inputs();
    }

    /** F = Fc + Fa, the input width. */
    public int inputs() {
        return contextFeatures() + candidateFeatures();
    }

    /** d = F + 2: the constant, the features and the interaction score. */
    public int embeddingDimension() {
        return inputs() + 2;
    }

    /** The interaction score {@code g(x_c)^T B h(x_a)} of one input row {@code [x_c, x_a]}. */
    public double score(float[] x) {
        if (x.length != inputs()) {
            throw new IllegalArgumentException("expected " + inputs() + " features, got " + x.length);
        }
        int fc = contextFeatures();
        int fa = candidateFeatures();
        double[] g = contextTower.apply(x, 0);
        double[] h = candidateTower.apply(x, fc);
        double s = 0;
        for (int i = 0; i < fc; i++) {
            double row = 0;
            for (int k = 0; k < fa; k++) {
                row += interaction[i * fa + k] * h[k];
            }
            s += g[i] * row;
        }
        return s;
    }

    /** z of one input row, in float32 as the posterior takes it. */
    public float[] embed(float[] x) {
        float[] z = new float[embeddingDimension()];
        z[0] = 1f;
        z[inputs() + 1] = (float) score(x);
        System.arraycopy(x, 0, z, 1, inputs());
        return z;
    }
}
