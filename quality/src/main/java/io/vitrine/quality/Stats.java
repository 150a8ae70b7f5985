package io.vitrine.quality;

/** Mean and sample standard deviation. */
public record Stats(int n, double mean, double std) {

    public static Stats of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new Stats(0, Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new Stats(n, mean, n > 1 ? Math.sqrt(squares / (n - 1)) : 0);
    }
}
