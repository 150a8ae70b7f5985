package io.vitrine.core.train;

import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.encoder.OnnxEncoder;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MlpTest {

    /** Rows of a non-linear function with two heads: y_0 = sin(2 x_0) x_1, y_1 = |x_0| - x_2. */
    private static final class Data {
        final float[][] x;
        final int[] heads;
        final double[] y;

        Data(int n, long seed) {
            UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
            x = new float[n][3];
            heads = new int[n];
            y = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < 3; j++) {
                    x[i][j] = (float) (2 * rng.nextDouble() - 1);
                }
                heads[i] = rng.nextInt(2);
                y[i] = heads[i] == 0 ? Math.sin(2 * x[i][0]) * x[i][1] : Math.abs(x[i][0]) - x[i][2];
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        for (boolean wide : new boolean[]{false, true}) {
            for (MlpTrainer.Loss loss : MlpTrainer.Loss.values()) {
                checkGradient(wide, loss);
            }
        }
    }

    private static void checkGradient(boolean wide, MlpTrainer.Loss loss) {
        Mlp mlp = Mlp.initialize(3, new int[]{5, 4}, 2, wide, 0, 3);
        // Non-zero biases so that the check crosses ReLU units in both states.
        double[] theta = mlp.theta();
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(5);
        ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int i = 0; i < theta.length; i++) {
            theta[i] += 0.1 * gaussian.sample();
        }
        Data data = new Data(20, 1);
        if (loss == MlpTrainer.Loss.LOGISTIC) {
            // Cross-entropy needs targets in [0, 1]: clicks.
            for (int i = 0; i < data.y.length; i++) {
                data.y[i] = data.y[i] > 0 ? 1 : 0;
            }
        }
        int[] batch = {0, 3, 5, 5, 7, 11, 19};
        MlpTrainer trainer = new MlpTrainer(mlp, 0.1, 0, 5, loss);
        double[] grad = new double[mlp.parameterCount()];
        trainer.lossAndGradient(data.x, data.heads, data.y, batch, grad);
        double[] scratch = new double[grad.length];
        double h = 1e-6;
        for (int p = 0; p < theta.length; p++) {
            double saved = theta[p];
            theta[p] = saved + h;
            double plus = trainer.lossAndGradient(data.x, data.heads, data.y, batch, scratch);
            theta[p] = saved - h;
            double minus = trainer.lossAndGradient(data.x, data.heads, data.y, batch, scratch);
            theta[p] = saved;
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, grad[p], 1e-6 * Math.max(1, Math.abs(numeric)),
                    "parameter " + p + (wide ? ", wide" : ", plain") + ", " + loss);
        }
    }

    @Test
    void trainerFitsANonLinearFunction() {
        Mlp mlp = Mlp.initialize(3, new int[]{32, 16}, 2, 1);
        Data train = new Data(2000, 2);
        Data test = new Data(500, 3);
        MlpTrainer trainer = new MlpTrainer(mlp, 0.01, 0.001, 5);
        double before = trainer.loss(test.x, test.heads, test.y);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(4);
        int[] batch = new int[64];
        for (int step = 0; step < 3000; step++) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = rng.nextInt(train.x.length);
            }
            trainer.step(train.x, train.heads, train.y, batch);
        }
        double after = trainer.loss(test.x, test.heads, test.y);
        // The targets have variance about 0.2; a linear model cannot do better than about 0.1 here.
        assertTrue(after < 0.01, "held-out loss " + after + " (before training " + before + ")");
    }

    @Test
    void gradientClippingBoundsTheStep() {
        Mlp mlp = Mlp.initialize(1, new int[]{2}, 1, 1);
        double[] before = mlp.parameters();
        // A huge target gives a huge gradient; clipped to norm 1e-3 and through RMSProp, the step stays small.
        MlpTrainer trainer = new MlpTrainer(mlp, 1e-3, 0, 1e-3);
        trainer.step(new float[][]{{1f}}, new int[]{0}, new double[]{1e9}, new int[]{0});
        double[] after = mlp.parameters();
        for (int p = 0; p < before.length; p++) {
            assertTrue(Math.abs(after[p] - before[p]) < 1e-2, "parameter " + p + " moved by " + (after[p] - before[p]));
        }
    }

    /**
     * A fresh TensorFlow 1 RMSProp divides by sqrt(0.9 + 0.1 g^2), so a small gradient moves a parameter by about
     * lr g; the bias-corrected one divides by |g| and moves every parameter with a gradient by lr from the first step.
     */
    @Test
    void aBiasCorrectedFreshOptimiserStepsByTheLearningRate() {
        float[][] x = {{0.5f}};
        double[] y = {1};
        Mlp tf1 = Mlp.initialize(1, new int[]{2}, 1, true, 0.5, 4);
        Mlp corrected = tf1.copy();
        double[] before = tf1.parameters();
        double[] g = new double[before.length];
        new MlpTrainer(tf1.copy(), 1e-3, 0, 1e9, MlpTrainer.Loss.LOGISTIC).lossAndGradient(x, new int[]{0}, y,
                new int[]{0}, g);

        new MlpTrainer(tf1, 1e-3, 0, 1e9, MlpTrainer.Loss.LOGISTIC).step(x, new int[]{0}, y, new int[]{0});
        new MlpTrainer(corrected, 1e-3, 0, 1e9, MlpTrainer.Loss.LOGISTIC, true).step(x, new int[]{0}, y,
                new int[]{0});

        int moved = 0;
        for (int p = 0; p < before.length; p++) {
            double tf1Step = before[p] - tf1.parameters()[p];
            double correctedStep = before[p] - corrected.parameters()[p];
            assertEquals(1e-3 * g[p] / Math.sqrt(0.9 + 0.1 * g[p] * g[p] + 1e-10), tf1Step, 1e-15);
            if (g[p] != 0) {
                assertEquals(1e-3 * Math.signum(g[p]), correctedStep, 1e-9);
                moved++;
            } else {
                assertEquals(0, correctedStep);
            }
        }
        assertTrue(moved > 3, "parameters with a gradient: " + moved);
    }

    @Test
    void learningRateDecaysAndResets() {
        MlpTrainer trainer = new MlpTrainer(Mlp.initialize(1, new int[]{2}, 1, 1), 0.1, 0.5, 5);
        assertEquals(0.1, trainer.currentLearningRate(), 1e-15);
        trainer.step(new float[][]{{1f}}, new int[]{0}, new double[]{1}, new int[]{0});
        trainer.step(new float[][]{{1f}}, new int[]{0}, new double[]{1}, new int[]{0});
        assertEquals(0.1 / (1 + 0.5 * 2), trainer.currentLearningRate(), 1e-15);
        trainer.resetLearningRate();
        assertEquals(0.1, trainer.currentLearningRate(), 1e-15);
    }

    @Test
    void wideEmbeddingIsOneInputAndLastHiddenLayer() {
        Mlp mlp = Mlp.initialize(3, new int[]{6, 4}, 1, true, 0, 11);
        assertEquals(1 + 3 + 4, mlp.embeddingDimension());
        float[] x = {0.5f, -1.25f, 2f};
        double[] z = mlp.embed(x);
        assertEquals(1.0, z[0]);
        assertEquals(0.5, z[1]);
        assertEquals(-1.25, z[2]);
        assertEquals(2.0, z[3]);
        // The heads read the whole z: the prediction is linear in it.
        double[] v = mlp.weights(3);
        double y = mlp.biases(3)[0];
        for (int j = 0; j < z.length; j++) {
            y += z[j] * v[j];
        }
        assertEquals(y, mlp.predict(x)[0], 1e-12);
    }

    @Test
    void initScaleBoundsEveryInitialWeight() {
        Mlp mlp = Mlp.initialize(2, new int[]{50}, 5, false, 0.3, 1);
        double max = 0;
        for (int layer = 1; layer <= 2; layer++) {
            for (double w : mlp.weights(layer)) {
                max = Math.max(max, Math.abs(w));
            }
        }
        assertTrue(max <= 0.3 && max > 0.25, "largest initial weight " + max);
        // He-uniform for 2 inputs reaches sqrt(3) instead.
        double he = 0;
        for (double w : Mlp.initialize(2, new int[]{50}, 5, 1).weights(1)) {
            he = Math.max(he, Math.abs(w));
        }
        assertTrue(he > 1.0, "largest He-uniform weight " + he);
    }

    @Test
    void exportedWideTrunkRunsInOnnxRuntimeLikeEmbed() {
        Mlp mlp = Mlp.initialize(3, new int[]{16, 8}, 1, true, 0, 7);
        Data data = new Data(300, 8);
        MlpTrainer trainer = new MlpTrainer(mlp, 0.01, 0, 5);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(1);
        int[] batch = new int[32];
        int[] heads = new int[data.x.length];
        for (int step = 0; step < 100; step++) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = rng.nextInt(data.x.length);
            }
            trainer.step(data.x, heads, data.y, batch);
        }
        byte[] model = MlpOnnxExporter.export(mlp, 2, 1, "mlp-wide-1");
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            assertEquals(new EncoderInfo("mlp-wide-1", 2, 1, 1 + 3 + 8), encoder.info());
            float[][] z = encoder.run(data.x);
            for (int i = 0; i < data.x.length; i++) {
                double[] expected = mlp.embed(data.x[i]);
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(expected[j], z[i][j], 1e-5, "row " + i + " component " + j);
                }
            }
        }
    }

    @Test
    void exportedTrunkRunsInOnnxRuntimeLikeEmbed() {
        Mlp mlp = Mlp.initialize(3, new int[]{16, 8}, 2, 7);
        Data data = new Data(500, 8);
        MlpTrainer trainer = new MlpTrainer(mlp, 0.01, 0, 5);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(1);
        int[] batch = new int[32];
        for (int step = 0; step < 200; step++) {
            for (int i = 0; i < batch.length; i++) {
                batch[i] = rng.nextInt(data.x.length);
            }
            trainer.step(data.x, data.heads, data.y, batch);
        }
        byte[] model = MlpOnnxExporter.export(mlp, 2, 1, "mlp-test-1");
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            EncoderInfo info = encoder.info();
            assertEquals(new EncoderInfo("mlp-test-1", 2, 1, 8), info);
            float[][] z = encoder.run(data.x);
            for (int i = 0; i < data.x.length; i++) {
                double[] expected = mlp.embed(data.x[i]);
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(expected[j], z[i][j], 1e-5, "row " + i + " component " + j);
                }
            }
        }
    }

    @Test
    void invalidShapesGiveClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mlp.initialize(0, new int[]{4}, 1, 1));
        assertTrue(e.getMessage().contains("input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.initialize(2, new int[0], 1, 1));
        assertTrue(e.getMessage().contains("hidden layer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.initialize(2, new int[]{4, 0}, 1, 1));
        assertTrue(e.getMessage().contains("hidden layer 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.of(2, new int[]{3}, 1, new double[5]));
        assertTrue(e.getMessage().contains("13 parameters"), e.getMessage());

        Mlp mlp = Mlp.initialize(2, new int[]{3}, 2, 1);
        e = assertThrows(IllegalArgumentException.class, () -> mlp.embed(new float[3]));
        assertTrue(e.getMessage().contains("expects 2"), e.getMessage());
        MlpTrainer trainer = new MlpTrainer(mlp, 0.1, 0, 5);
        float[][] x = {{1f, 2f}};
        e = assertThrows(IllegalArgumentException.class,
                () -> trainer.step(x, new int[]{2}, new double[]{1}, new int[]{0}));
        assertTrue(e.getMessage().contains("head 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> trainer.step(x, new int[]{0}, new double[]{1}, new int[]{1}));
        assertTrue(e.getMessage().contains("outside the data"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MlpOnnxExporter.export(mlp, 1, 2, "v"));
        assertTrue(e.getMessage().contains("add up"), e.getMessage());
    }

    @Test
    void sameSeedSameNetwork() {
        assertArrayEquals(Mlp.initialize(3, new int[]{4}, 2, 9).parameters(),
                Mlp.initialize(3, new int[]{4}, 2, 9).parameters());
    }
}
