package io.vitrine.core.encoder;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.vitrine.core.encoder.OnnxEncoderTest.assertClose;
import static io.vitrine.core.encoder.OnnxEncoderTest.randomRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The per-thread input and output buffers are reused across calls of different sizes. */
class OnnxEncoderBuffersTest {

    @Test
    void batchesThatGrowAndShrinkOnOneThreadGiveTheForwardPass() {
        DefaultEncoder network = DefaultEncoder.random(4, 3, 20, 11L);
        try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
            int[] sizes = {1, 20, 3, 100, 7, 1, 64, 2};
            for (int i = 0; i < sizes.length; i++) {
                float[][] x = randomRows(sizes[i], 7, 100 + i);
                assertClose(network.forward(x), encoder.run(x));

                float[] context = Arrays.copyOf(x[0], 4);
                float[][] candidates = new float[sizes[i]][];
                float[][] rows = new float[sizes[i]][7];
                for (int a = 0; a < sizes[i]; a++) {
                    candidates[a] = Arrays.copyOfRange(x[a], 4, 7);
                    System.arraycopy(context, 0, rows[a], 0, 4);
                    System.arraycopy(candidates[a], 0, rows[a], 4, 3);
                }
                float[][] z = encoder.encode(context, candidates);
                assertEquals(sizes[i], z.length);
                assertClose(network.forward(rows), z);
            }
        }
    }

    @Test
    void aRejectedBatchLeavesTheBuffersUsable() {
        DefaultEncoder network = DefaultEncoder.random(2, 2, 8, 3L);
        try (OnnxEncoder encoder = OnnxEncoder.load(network.toOnnx())) {
            float[][] bad = randomRows(5, 4, 1L);
            bad[3][2] = Float.NaN;
            // Validated before anything is written to the buffers.
            assertThrows(IllegalArgumentException.class, () -> encoder.run(bad));
            float[][] x = randomRows(5, 4, 2L);
            assertClose(network.forward(x), encoder.run(x));
        }
    }
}
