package io.vitrine.core.train;

import io.vitrine.core.encoder.EncoderInfo;
import io.vitrine.core.encoder.OnnxEncoder;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BilinearTrainingTest {

    private static final int CONTEXT = 3;
    private static final int CANDIDATE = 2;
    /** The planted interaction: context 0 with candidate 1 (+1.5), context 2 with candidate 0 (-1). */
    private static final double[] PLANTED = {0, 1.5, 0, 0, -1, 0};

    /** Clicks with logit -2 + 0.3 x_0 + x_c^T B x_a, features standard normal. */
    private static RewardRows clicks(int n, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        RewardRows rows = new RewardRows(CONTEXT, CANDIDATE);
        for (int i = 0; i < n; i++) {
            float[] context = new float[CONTEXT];
            float[] candidate = new float[CANDIDATE];
            for (int j = 0; j < CONTEXT; j++) {
                context[j] = (float) gaussian(rng);
            }
            for (int k = 0; k < CANDIDATE; k++) {
                candidate[k] = (float) gaussian(rng);
            }
            double logit = -2 + 0.3 * context[0];
            for (int j = 0; j < CONTEXT; j++) {
                for (int k = 0; k < CANDIDATE; k++) {
                    logit += PLANTED[j * CANDIDATE + k] * context[j] * candidate[k];
                }
            }
            rows.add(context, candidate, rng.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
        }
        return rows;
    }

    private static double gaussian(UniformRandomProvider rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    @Test
    void recoversAPlantedInteractionAndBeatsTheConstantOnTheNewestRows() {
        BilinearTraining.Result result = BilinearTraining.train(clicks(20_000, 3), BilinearTraining.Settings.defaults());
        double[] b = result.encoder().interaction();
        for (int i = 0; i < PLANTED.length; i++) {
            assertEquals(PLANTED[i], b[i], 0.2, "B[" + i + "] of " + java.util.Arrays.toString(b));
        }
        HeldOutReport report = result.report();
        assertEquals(2_000, report.heldOutRows());
        assertTrue(report.beatsConstant(), report.toString());
        assertTrue(report.heldOutAuc() > 0.7, report.toString());
        assertTrue(result.iterations() < BilinearTraining.MAX_ITERATIONS, "Newton converged: " + result.iterations());
    }

    @Test
    void theSameRowsGiveTheSameEncoder() {
        RewardRows rows = clicks(3_000, 5);
        assertArrayEquals(BilinearTraining.train(rows, BilinearTraining.Settings.defaults()).encoder().interaction(),
                BilinearTraining.train(rows, BilinearTraining.Settings.defaults()).encoder().interaction());
    }

    @Test
    void aLargerPenaltyShrinksTheInteraction() {
        RewardRows rows = clicks(3_000, 5);
        double small = norm(BilinearTraining.train(rows, new BilinearTraining.Settings(1, 0.1)).encoder());
        double large = norm(BilinearTraining.train(rows, new BilinearTraining.Settings(1_000, 0.1)).encoder());
        assertTrue(large < small / 2, large + " against " + small);
    }

    @Test
    void onnxRuntimeComputesTheSameEmbedding() {
        BilinearEncoder encoder = BilinearTraining.train(clicks(2_000, 9), BilinearTraining.Settings.defaults())
                .encoder();
        RewardRows probe = clicks(50, 11);
        byte[] model = encoder.toOnnx("bilinear-test-1");
        try (OnnxEncoder onnx = OnnxEncoder.load(model)) {
            assertEquals(new EncoderInfo("bilinear-test-1", CONTEXT, CANDIDATE, CONTEXT + CANDIDATE + 2), onnx.info());
            float[][] inputs = new float[probe.size()][];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = probe.input(i);
            }
            float[][] z = onnx.run(inputs);
            for (int i = 0; i < inputs.length; i++) {
                float[] expected = encoder.embed(inputs[i]);
                assertEquals(1f, z[i][0], "row " + i + " starts with the constant");
                for (int j = 0; j < expected.length; j++) {
                    assertEquals(expected[j], z[i][j], 1e-5, "row " + i + " component " + j);
                }
            }
        }
    }

    @Test
    void refusesWhatItCannotFit() {
        RewardRows real = new RewardRows(1, 1);
        real.add(new float[]{1}, new float[]{1}, 2.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BilinearTraining.train(real, BilinearTraining.Settings.defaults()));
        assertTrue(e.getMessage().contains("row 0 has reward 2.5"), e.getMessage());

        RewardRows wide = new RewardRows(32, 32);
        wide.add(new float[32], new float[32], 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> BilinearTraining.train(wide, BilinearTraining.Settings.defaults()));
        assertTrue(e.getMessage().contains("1024 products"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new BilinearTraining.Settings(0, 0.1));
    }

    private static double norm(BilinearEncoder encoder) {
        double s = 0;
        for (double v : encoder.interaction()) {
            s += v * v;
        }
        return Math.sqrt(s);
    }
}
