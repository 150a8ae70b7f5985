package io.vitrine.schemas;

import java.util.List;

/**
 * Conversions between primitive arrays (what the math uses) and the boxed lists of Avro's
 * generated classes (what the wire uses). Plain loops: these run on every decision and reward.
 */
public final class AvroArrays {

    private AvroArrays() {
    }

    public static List<Float> floatList(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return List.of(boxed);
    }

    public static List<Double> doubleList(double[] values) {
        Double[] boxed = new Double[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return List.of(boxed);
    }

    /** Null stays null (a missing field, for validation to report); a null element becomes NaN. */
    public static float[] floats(List<Float> values) {
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

    public static double[] doubles(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
