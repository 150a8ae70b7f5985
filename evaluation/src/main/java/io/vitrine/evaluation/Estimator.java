package io.vitrine.evaluation;

/**
 * An off-policy estimator of a target policy's expected reward per round, from rounds logged by another policy.
 * {@code sample} holds indices into {@code rounds} (repeats allowed), so that the bootstrap can resample
 * without copying; the identity sample gives the estimate itself. Implementations keep no state between calls:
 * the evaluator runs several at once.
 */
public interface Estimator {

    /** A short name for tables and plots. */
    String name();

    /**
     * The estimate as per-round terms, computed once: the value is {@code sum a / sum b} over the rounds (a
     * ratio; {@code b} null means every b_t is 1), and its standard error is that of the ratio
     * {@code sum errorA / sum errorB} by the delta method, whose influence terms are
     * {@code (errorA_t - E errorB_t) / mean(errorB)}. The bootstrap resamples these terms instead of re-running the
     * estimator ({@link Bootstrap}).
     *
     * @param a           numerator terms
     * @param b           denominator terms, or null for 1
     * @param errorA      numerator terms of the ratio whose standard error studentizes the interval
     * @param errorB      its denominator terms, or null for 1
     * @param studentized whether the interval is studentized (bootstrap-t) or an expanded percentile interval
     */
    record Terms(double[] a, double[] b, double[] errorA, double[] errorB, boolean studentized) {

        /** A ratio estimator studentized by its own terms. */
        static Terms ratio(double[] a, double[] b) {
            return new Terms(a, b, a, b, true);
        }
    }

    /**
     * The per-round terms of the estimate on all {@code rounds}, or null for an estimator that has none (the
     * bootstrap then re-runs {@link #estimate} on every resample).
     */
    default Terms terms(ScoredRound[] rounds) {
        return null;
    }

    /** The estimate on the rounds {@code rounds[sample[i]]}; NaN when the sample holds no usable round. */
    double estimate(ScoredRound[] rounds, int[] sample);

    /**
     * The estimate and its standard error on the sample, {@code {value, se}}: the standard deviation of the
     * estimator's per-round influence terms over the square root of the sample size. The bootstrap studentizes
     * with it; an estimator without one returns NaN as the error and gets a percentile interval.
     */
    default double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
        return new double[] {estimate(rounds, sample), Double.NaN};
    }

    /**
     * Bounds {@code {low, high}} of the estimator's bias on these rounds, for estimators biased by construction
     * whose bias the log itself can bound; the interval is widened by them. Unbiased (or consistent) estimators
     * have none: {0, 0}.
     */
    default double[] biasBounds(ScoredRound[] rounds) {
        return new double[] {0, 0};
    }

    /**
     * The interval the estimator reports, from the bootstrap's {@code interval} on {@code rounds}: by default
     * widened by its {@link #biasBounds}.
     */
    default double[] reported(double[] interval, ScoredRound[] rounds) {
        double[] bias = biasBounds(rounds);
        return new double[] {interval[0] + bias[0], interval[1] + bias[1]};
    }

    /**
     * An interval the estimator computes from the log itself, {@code {low, high}} at {@code level}, or null to let
     * the bootstrap compute one (the default).
     */
    default double[] directInterval(ScoredRound[] rounds, double level) {
        return null;
    }

    /**
     * How many rounds the estimate on all {@code rounds} averages: the log's size for most estimators, fewer for
     * one that keeps only some rounds (replay). The bootstrap's percentile interval widens for small counts.
     */
    default int averagedRounds(ScoredRound[] rounds) {
        return rounds.length;
    }

    /**
     * The standard error of doubly robust's per-round terms over {@code sample}: the error the direct method and
     * doubly robust both report (the direct method's own terms understate it, see docs/evaluation.md).
     */
    static double doublyRobustError(ScoredRound[] rounds, int[] sample) {
        double[] terms = new double[sample.length];
        for (int j = 0; j < sample.length; j++) {
            terms[j] = rounds[sample[j]].doublyRobust();
        }
        return standardError(terms, terms.length);
    }

    /** The standard error of the mean of {@code terms[0..count)}: their sample standard deviation over sqrt(count). */
    static double standardError(double[] terms, int count) {
        if (count < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (int i = 0; i < count; i++) {
            mean += terms[i];
        }
        mean /= count;
        double squares = 0;
        for (int i = 0; i < count; i++) {
            squares += (terms[i] - mean) * (terms[i] - mean);
        }
        return Math.sqrt(squares / (count - 1) / count);
    }
}
