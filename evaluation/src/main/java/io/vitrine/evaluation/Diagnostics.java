package io.vitrine.evaluation;

import java.util.Locale;

/**
 * How far to trust the importance-weighted estimates of one target policy on one log.
 *
 * @param rounds            logged rounds
 * @param effectiveSize     Kish's effective sample size of the weights, (sum w)^2 / sum w^2: about how many
 *                          rounds the weighted estimate is worth; far below {@code rounds} means a few large
 *                          weights dominate
 * @param smallestPropensity the smallest logged propensity
 * @param largestWeight     the largest importance weight pi / mu
 * @param shareClipped      share of rounds whose weight exceeds the clip of clipped IPS
 * @param replayMatches     rounds the replay estimator kept
 */
public record Diagnostics(int rounds, double effectiveSize, double smallestPropensity, double largestWeight,
                          double shareClipped, int replayMatches) {

    /** The diagnostics of a scored log for a clip of {@code clip}. */
    public static Diagnostics of(ScoredRound[] scored, double clip) {
        double sum = 0;
        double squares = 0;
        double smallest = Double.POSITIVE_INFINITY;
        double largest = 0;
        int clipped = 0;
        for (ScoredRound r : scored) {
            double w = r.weight();
            sum += w;
            squares += w * w;
            smallest = Math.min(smallest, r.round().propensity());
            largest = Math.max(largest, w);
            if (w > clip) {
                clipped++;
            }
        }
        return new Diagnostics(scored.length, squares > 0 ? sum * sum / squares : 0, smallest, largest,
                scored.length > 0 ? (double) clipped / scored.length : 0, Replay.matched(scored));
    }

    static String format(double value) {
        return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.3g", value);
    }
}
