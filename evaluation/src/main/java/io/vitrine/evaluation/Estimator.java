package io.vitrine.evaluation;

/**
 * An off-policy estimator of a target policy's expected reward per round, from rounds logged by another policy.
 * {@code sample} holds indices into {@code rounds} (repeats allowed), so that the bootstrap can resample
 * without copying; the identity sample gives the estimate itself.
 */
public interface Estimator {

    /** A short name for tables and plots. */
    String name();

    /** The estimate on the rounds {@code rounds[sample[i]]}; NaN when the sample holds no usable round. */
    double estimate(ScoredRound[] rounds, int[] sample);
}
