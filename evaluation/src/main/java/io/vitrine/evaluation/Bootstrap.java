package io.vitrine.evaluation;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Percentile bootstrap intervals (Efron and Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13):
 * resample the rounds with replacement {@code replicates} times, estimate on each resample, and take the
 * (1 - level)/2 and (1 + level)/2 quantiles of the estimates. Rounds are treated as independent draws from the
 * logging distribution; replicates that give no estimate (e.g. replay with no match) are left out.
 */
public final class Bootstrap {

    private final int replicates;
    private final double level;

    public Bootstrap(int replicates, double level) {
        if (replicates < 10) {
            throw new IllegalArgumentException("at least 10 replicates are needed, got " + replicates);
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        this.replicates = replicates;
        this.level = level;
    }

    public double level() {
        return level;
    }

    /** The interval [low, high] of {@code estimator} on {@code rounds}; NaNs when no replicate gave a value. */
    public double[] interval(Estimator estimator, ScoredRound[] rounds, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        double[] values = new double[replicates];
        int kept = 0;
        int[] sample = new int[rounds.length];
        for (int b = 0; b < replicates; b++) {
            for (int i = 0; i < sample.length; i++) {
                sample[i] = rng.nextInt(rounds.length);
            }
            double value = estimator.estimate(rounds, sample);
            if (Double.isFinite(value)) {
                values[kept++] = value;
            }
        }
        if (kept == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] sorted = Arrays.copyOf(values, kept);
        Arrays.sort(sorted);
        return new double[] {quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2)};
    }

    /** Linear interpolation between order statistics (type 7 of Hyndman and Fan). */
    static double quantile(double[] sorted, double p) {
        double position = p * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
