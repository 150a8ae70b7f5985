package io.vitrine.evaluation;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Bootstrap intervals: resample the rounds with replacement {@code replicates} times and estimate on each
 * resample. Rounds are treated as independent draws from the logging distribution; replicates that give no
 * estimate (e.g. replay with no match) are left out.
 * <p>
 * Studentized ("bootstrap-t", Efron and Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 12; Hall
 * 1988) for estimators that give a standard error: with the estimate V and its error s, and on each resample
 * t* = (V* - V) / s*, the interval is [V - q_hi(t*) s, V - q_lo(t*) s]. Why not the plain percentile interval:
 * importance-weighted estimates are skewed, and a log that happens to hold few of the rare large-weight rounds
 * has both a low estimate and a low spread, so percentile intervals of such logs are too narrow (the coverage
 * study measured 86% to 89% at 500 rounds of a Thompson-sampling log where 95% was asked for); studentizing
 * accounts for that.
 * <p>
 * Percentile intervals (ch. 13) for estimators without a standard error, such as replay on rewards outside
 * [0, 1]: the number of rounds replay averages varies from resample to resample, and studentizing it measured
 * worse (66% to 81%) than its percentile interval. They are Hesterberg's expanded percentile intervals ("What
 * teachers should know about the bootstrap", The American Statistician 69, 2015): the quantiles of V* are
 * taken at {@code Phi(sqrt(m / (m - 1)) t_{(1 - level)/2, m - 1})} and one minus that, m the number of rounds
 * the estimate averages ({@link Estimator#averagedRounds}), instead of at (1 - level)/2 and (1 + level)/2. The
 * plain percentile interval is too narrow for few rounds, as a z interval with the plug-in variance is; the
 * expansion widens it as a t interval with the unbiased variance is wider. An estimator can also give its own
 * interval ({@link Estimator#directInterval}); replay does for rewards in [0, 1].
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
        double[] direct = estimator.directInterval(rounds, level);
        if (direct != null) {
            return direct;
        }
        double[] center = estimator.estimateWithError(rounds, Evaluator.everyRound(rounds.length));
        boolean studentized = Double.isFinite(center[0]) && center[1] > 0 && Double.isFinite(center[1]);
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        double[] values = new double[replicates];
        int kept = 0;
        int[] sample = new int[rounds.length];
        for (int b = 0; b < replicates; b++) {
            for (int i = 0; i < sample.length; i++) {
                sample[i] = rng.nextInt(rounds.length);
            }
            if (studentized) {
                double[] replicate = estimator.estimateWithError(rounds, sample);
                if (Double.isFinite(replicate[0]) && replicate[1] > 0 && Double.isFinite(replicate[1])) {
                    values[kept++] = (replicate[0] - center[0]) / replicate[1];
                }
            } else {
                double value = estimator.estimate(rounds, sample);
                if (Double.isFinite(value)) {
                    values[kept++] = value;
                }
            }
        }
        if (kept == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] sorted = Arrays.copyOf(values, kept);
        Arrays.sort(sorted);
        double tail = studentized ? (1 - level) / 2 : expandedTail(estimator.averagedRounds(rounds));
        double low = quantile(sorted, tail);
        double high = quantile(sorted, 1 - tail);
        double[] interval = studentized ? new double[] {center[0] - high * center[1], center[0] - low * center[1]}
                : new double[] {low, high};
        double[] bias = estimator.biasBounds(rounds);
        return new double[] {interval[0] + bias[0], interval[1] + bias[1]};
    }

    /** The lower tail probability of Hesterberg's expanded percentile interval for an average of m rounds. */
    double expandedTail(int m) {
        double plain = (1 - level) / 2;
        if (m < 2) {
            return plain;
        }
        double t = new TDistribution(null, m - 1).inverseCumulativeProbability(plain);
        return new NormalDistribution(null, 0, 1).cumulativeProbability(Math.sqrt(m / (m - 1.0)) * t);
    }

    /** Linear interpolation between order statistics (type 7 of Hyndman and Fan). */
    static double quantile(double[] sorted, double p) {
        double position = p * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
