package io.vitrine.selector.decision;

import java.util.List;

/** Conversions between feature arrays and the boxed lists of Avro's generated classes. */
public final class Floats {

    private Floats() {
    }

    public static List<Float> toList(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return List.of(boxed);
    }

    /** Null stays null, so that the validator reports a missing field rather than an empty one. */
    public static float[] toArray(List<Float> values) {
        if (values == null) {
            return null;
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            Float value = values.get(i);
            out[i] = value == null ? Float.NaN : value;
        }
        return out;
    }

    public static double[] toDoubles(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
