package io.vitrine.schemas;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.List;

/**
 * Conversions between primitive arrays (what the math uses) and the boxed lists of Avro's
 * generated classes (what the wire uses), and packed arrays of doubles (Avro {@code bytes}, little-endian IEEE 754)
 * for large arrays read and written often. Plain loops: these run on every decision and reward.
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

    /** The arrays one after the other as little-endian doubles, for an Avro {@code bytes} field. */
    public static ByteBuffer packed(double[]... arrays) {
        int length = 0;
        for (double[] array : arrays) {
            length += array.length;
        }
        ByteBuffer packed = ByteBuffer.allocate(Double.BYTES * length).order(ByteOrder.LITTLE_ENDIAN);
        DoubleBuffer values = packed.asDoubleBuffer();
        for (double[] array : arrays) {
            values.put(array);
        }
        return packed;
    }

    /**
     * Splits packed doubles ({@link #packed}) into arrays of the given lengths.
     *
     * @throws IllegalArgumentException when the bytes hold another number of doubles than the lengths add up to
     */
    public static double[][] unpacked(ByteBuffer packed, int... lengths) {
        DoubleBuffer values = packed.duplicate().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
        long expected = 0;
        for (int length : lengths) {
            expected += length;
        }
        if (values.remaining() != expected || packed.remaining() % Double.BYTES != 0) {
            throw new IllegalArgumentException(packed.remaining() + " bytes hold " + values.remaining()
                    + " packed doubles; expected " + expected);
        }
        double[][] out = new double[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = new double[lengths[i]];
            values.get(out[i]);
        }
        return out;
    }
}
