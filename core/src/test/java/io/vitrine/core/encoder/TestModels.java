package io.vitrine.core.encoder;

import ai.onnx.proto.OnnxMl;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.util.Map;
import java.util.TreeMap;

/** Small ONNX models that break one rule of the encoder contract at a time. */
final class TestModels {

    private TestModels() {
    }

    /** {@code output = Identity(input)}: F inputs, d = F, with the given names and metadata properties. */
    static byte[] identity(String inputName, String outputName, int F, Map<String, String> metadata) {
        ONNXContext context = new ONNXContext();
        ONNXPlaceholder input = context.floatInput(inputName, F);
        ONNXPlaceholder output = context.floatOutput(outputName, F);
        input.assignTo(output);
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(7)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setProducerName("test")
                .setGraph(context.buildGraph());
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            model.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        return model.build().toByteArray();
    }

    static Map<String, String> features(int contextFeatures, int candidateFeatures) {
        return Map.of(OnnxEncoder.CONTEXT_FEATURES_KEY, Integer.toString(contextFeatures),
                OnnxEncoder.CANDIDATE_FEATURES_KEY, Integer.toString(candidateFeatures));
    }
}
