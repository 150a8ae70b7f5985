package io.vitrine.core.encoder;

import ai.onnx.proto.OnnxMl;
import org.tribuo.util.onnx.ONNXOperators;

/**
 * Writes an encoder graph as the ONNX model file the selector loads: IR version 7, the opset of tribuo's
 * operators, and the metadata of the encoder contract ({@link OnnxEncoder#VERSION_KEY} and the feature layout).
 * Shared by every encoder the project writes (the default encoder, trained MLPs).
 */
public final class EncoderModels {

    private EncoderModels() {
    }

    /** The serialised model of {@code graph}. */
    public static byte[] write(OnnxMl.GraphProto graph, String docString, String version, int contextFeatures,
                               int candidateFeatures) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(7)
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setProducerName("vitrine")
                .setDomain("io.vitrine")
                .setModelVersion(1)
                .setDocString(docString)
                .setGraph(graph)
                .addMetadataProps(property(OnnxEncoder.VERSION_KEY, version))
                .addMetadataProps(property(OnnxEncoder.CONTEXT_FEATURES_KEY, Integer.toString(contextFeatures)))
                .addMetadataProps(property(OnnxEncoder.CANDIDATE_FEATURES_KEY, Integer.toString(candidateFeatures)))
                .build()
                .toByteArray();
    }

    private static OnnxMl.StringStringEntryProto property(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
