package io.vitrine.core.encoder;

import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;

import java.util.Map;
import java.util.Set;

/** Opset-13 operators that tribuo's {@link ONNXOperators} does not list; shared by every ONNX writer of the project. */
public enum ExtraOnnxOperators implements ONNXOperator {
    /** Matrix product with numpy semantics: [N, F] x [F, H] -&gt; [N, H]. */
    MATMUL("MatMul", 2),
    /** Element-wise max(x, 0). */
    RELU("Relu", 1);

    private final String opName;
    private final int numInputs;

    ExtraOnnxOperators(String opName, int numInputs) {
        this.opName = opName;
        this.numInputs = numInputs;
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return numInputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return 0;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return Map.of();
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return Set.of();
    }

    @Override
    public int getOpVersion() {
        return ONNXOperators.getOpsetVersion();
    }

    /** The default ONNX domain. */
    @Override
    public String getOpDomain() {
        return null;
    }
}
