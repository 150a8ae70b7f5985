package io.vitrine.core.train;

import io.vitrine.core.encoder.EncoderModels;
import io.vitrine.core.encoder.ExtraOnnxOperators;
import io.vitrine.core.encoder.OnnxEncoder;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained encoder of the bilinear form: {@code z = [1, x_c, x_a, s]} with the learned interaction score
 * {@code s = x_c^T B x_a} of the context features {@code x_c} and the candidate features {@code x_a}.
 *
 * <p>Why this form: a click depends on how a visitor and an image go together, an interaction no linear model of the
 * raw features holds. A wide z of a ReLU network (81 dimensions for 8 + 8 features and 64 hidden units) holds it, but a
 * posterior in that many dimensions needs more rewards than a slot gets before the next retraining; the random
 * built-in network's 32 are already many. Here the whole interaction is one learned coordinate, so a slot's
 * posterior is over {@code F + 2} dimensions: it still learns the slot's own intercept, raw-feature weights and how much
 * the interaction counts there, from far fewer rewards. {@code B} is fitted by {@link BilinearTraining} (a convex,
 * exactly solved fit: no learning-rate recipe, the same data give the same encoder).
 *
 * @param contextFeatures   Fc
 * @param candidateFeatures Fa
 * @param interaction       B, row-major Fc x Fa
 */
public record BilinearEncoder(int contextFeatures, int candidateFeatures, double[] interaction) {

    public BilinearEncoder {
        if (contextFeatures < 1 || candidateFeatures < 1) {
            throw new IllegalArgumentException("a bilinear encoder needs context and candidate features, got "
                    + contextFeatures + " and " + candidateFeatures);
        }
        if (interaction == null || interaction.length != contextFeatures * candidateFeatures) {
            throw new IllegalArgumentException("the interaction matrix must have Fc x Fa = "
                    + contextFeatures * candidateFeatures + " entries");
        }
        interaction = interaction.clone();
    }

    @Override
    public double[] interaction() {
        return interaction.clone();
    }

    /** F = Fc + Fa, the input width. */
    public int inputs() {
        return contextFeatures + candidateFeatures;
    }

    /** d = F + 2: the constant, the features and the interaction score. */
    public int embeddingDimension() {
        return inputs() + 2;
    }

    /** The interaction score {@code x_c^T B x_a} of one input row {@code [x_c, x_a]}. */
    public double score(float[] x) {
        checkWidth(x);
        double s = 0;
        for (int i = 0; i < contextFeatures; i++) {
            double row = 0;
            for (int k = 0; k < candidateFeatures; k++) {
                row += interaction[i * candidateFeatures + k] * x[contextFeatures + k];
            }
            s += x[i] * row;
        }
        return s;
    }

    /** z of one input row, in float32 as the ONNX model computes it. */
    public float[] embed(float[] x) {
        float[] z = new float[embeddingDimension()];
        z[0] = 1f;
        System.arraycopy(x, 0, z, 1, inputs());
        z[inputs() + 1] = (float) score(x);
        return z;
    }

    /**
     * The encoder as a Vitrine ONNX model (docs/encoder.md): input {@code features} [N, F], output {@code embedding}
     * [N, F + 2]: {@code Concat(ones, features, ((features . L) * (features . R)) . 1)}, where {@code features . L = x_c^T B}
     * and {@code features . R = x_a}. Only MatMul, Mul, Add and Concat (opset 13), written with tribuo-util-onnx as
     * {@link MlpOnnxExporter} does; the weights are rounded to float32.
     */
    public byte[] toOnnx(String version) {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("an exported encoder needs a version");
        }
        int f = inputs();
        ONNXContext context = new ONNXContext();
        context.setName("vitrine_bilinear_encoder");
        ONNXPlaceholder features = context.floatInput(OnnxEncoder.INPUT, f);
        ONNXPlaceholder embedding = context.floatOutput(OnnxEncoder.OUTPUT, embeddingDimension());
        // features . [B on the context rows, 0 on the candidate rows] = x_c^T B, an [N, Fa] row per input.
        float[] left = new float[f * candidateFeatures];
        for (int i = 0; i < contextFeatures; i++) {
            for (int k = 0; k < candidateFeatures; k++) {
                left[i * candidateFeatures + k] = (float) interaction[i * candidateFeatures + k];
            }
        }
        // features . [0 on the context rows, I on the candidate rows] = x_a.
        float[] right = new float[f * candidateFeatures];
        for (int k = 0; k < candidateFeatures; k++) {
            right[(contextFeatures + k) * candidateFeatures + k] = 1f;
        }
        float[] sum = new float[candidateFeatures];
        Arrays.fill(sum, 1f);
        ONNXInitializer leftW = context.floatTensor("contextTimesB", List.of(f, candidateFeatures),
                buffer -> buffer.put(left));
        ONNXInitializer rightW = context.floatTensor("candidate", List.of(f, candidateFeatures),
                buffer -> buffer.put(right));
        ONNXInitializer sumW = context.floatTensor("sum", List.of(candidateFeatures, 1), buffer -> buffer.put(sum));
        ONNXInitializer zeros = context.floatTensor("zeros", List.of(f, 1), buffer -> buffer.put(new float[f]));
        ONNXInitializer one = context.array("one", new float[]{1f});
        Map<String, Object> axis1 = new HashMap<>();
        axis1.put("axis", 1);
        ONNXRef<?> score = features.apply(ExtraOnnxOperators.MATMUL, leftW)
                .apply(ONNXOperators.MUL, features.apply(ExtraOnnxOperators.MATMUL, rightW))
                .apply(ExtraOnnxOperators.MATMUL, sumW);
        ONNXRef<?> ones = features.apply(ExtraOnnxOperators.MATMUL, zeros).apply(ONNXOperators.ADD, one);
        ones.apply(ONNXOperators.CONCAT, features, axis1).apply(ONNXOperators.CONCAT, score, axis1)
                .assignTo(embedding);
        return EncoderModels.write(context.buildGraph(),
                "Vitrine trained encoder: bilinear, embedding = [1, features, context^T B candidate]",
                version, contextFeatures, candidateFeatures);
    }

    private void checkWidth(float[] x) {
        if (x.length != inputs()) {
            throw new IllegalArgumentException("expected " + inputs() + " features, got " + x.length);
        }
    }
}
