package io.vitrine.core.train;

import io.vitrine.core.encoder.EncoderModels;
import io.vitrine.core.encoder.ExtraOnnxOperators;
import io.vitrine.core.encoder.OnnxEncoder;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the trunk of an {@link Mlp} (input to last hidden layer, without the heads) as a Vitrine encoder
 * (docs/encoder.md): float32 input {@code features} [N, F], output {@code embedding} [N, d], dynamic N, metadata
 * {@code vitrine.context_features}, {@code vitrine.candidate_features} and {@code vitrine.version}. Each layer is
 * {@code Relu(MatMul(h, W_l) + c_l)}; a wide network's z is {@code Concat(Concat(ones, features), h_L)} on axis 1,
 * the column of ones computed as {@code MatMul(features, 0) + 1} so that it follows the dynamic batch size. The graph is built with tribuo-util-onnx (opset 13, IR version 7) as
 * {@code DefaultEncoder} does. The weights are rounded to float32, so ONNX Runtime's output matches
 * {@link Mlp#embed} to float precision.
 */
public final class MlpOnnxExporter {

    private MlpOnnxExporter() {
    }

    /**
     * @param contextFeatures   Fc, the leading input features that describe the context
     * @param candidateFeatures Fa, the candidate features after them; Fc + Fa must be the network's inputs
     * @param version           the encoder version, which names the posteriors learned with it
     */
    public static byte[] export(Mlp mlp, int contextFeatures, int candidateFeatures, String version) {
        if (mlp == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (contextFeatures < 0 || candidateFeatures < 0 || contextFeatures + candidateFeatures != mlp.inputs()) {
            throw new IllegalArgumentException("context features (" + contextFeatures + ") + candidate features ("
                    + candidateFeatures + ") must be >= 0 and add up to the network's " + mlp.inputs() + " inputs");
        }
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("an exported encoder needs a version");
        }
        int[] hidden = mlp.hiddenLayers();
        ONNXContext context = new ONNXContext();
        context.setName("vitrine_mlp_encoder");
        ONNXPlaceholder features = context.floatInput(OnnxEncoder.INPUT, mlp.inputs());
        ONNXPlaceholder embedding = context.floatOutput(OnnxEncoder.OUTPUT, mlp.embeddingDimension());
        ONNXRef<?> h = features;
        int in = mlp.inputs();
        for (int l = 1; l <= hidden.length; l++) {
            int out = hidden[l - 1];
            float[] W = toFloat(mlp.weights(l));
            ONNXInitializer weights = context.floatTensor("W" + l, List.of(in, out), buffer -> buffer.put(W));
            ONNXInitializer bias = context.array("c" + l, toFloat(mlp.biases(l)));
            h = h.apply(ExtraOnnxOperators.MATMUL, weights)
                    .apply(ONNXOperators.ADD, bias)
                    .apply(ExtraOnnxOperators.RELU);
            in = out;
        }
        if (mlp.wide()) {
            Map<String, Object> axis1 = new HashMap<>();
            axis1.put("axis", 1);
            ONNXInitializer zeros = context.floatTensor("zeros", List.of(mlp.inputs(), 1),
                    buffer -> buffer.put(new float[mlp.inputs()]));
            ONNXInitializer one = context.array("one", new float[]{1f});
            ONNXRef<?> ones = features.apply(ExtraOnnxOperators.MATMUL, zeros).apply(ONNXOperators.ADD, one);
            h = ones.apply(ONNXOperators.CONCAT, features, axis1).apply(ONNXOperators.CONCAT, h, axis1);
        }
        h.assignTo(embedding);

        return EncoderModels.write(context.buildGraph(),
                "Vitrine trained encoder: " + hidden.length + " ReLU layers " + java.util.Arrays.toString(hidden)
                        + ", embedding = " + (mlp.wide() ? "[1, features, last hidden layer]" : "last hidden layer"),
                version, contextFeatures, candidateFeatures);
    }

    private static float[] toFloat(double[] values) {
        float[] f = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            f[i] = (float) values[i];
        }
        return f;
    }
}
