package io.vitrine.evaluation;

import java.util.List;
import java.util.Locale;

/**
 * When an estimator's interval on a log cannot be trusted, and why: the report then says so instead of showing
 * the interval as if it held. The rules are the known ways these estimators fail, each checked on the log:
 * <ul>
 *   <li><b>Missing support</b> (every estimator but the direct method): the target puts probability on actions
 *   the log never took. Importance weighting cannot see them: IPS counts them as reward 0, SNIPS and replay
 *   leave them out, and doubly robust falls back on the model alone there.</li>
 *   <li><b>Too few matched rounds</b> (replay): under {@value #FEWEST_MATCHES} kept rounds.</li>
 *   <li><b>Too small an effective sample</b> (IPS, SNIPS, doubly robust): Kish's effective sample size of the
 *   weights under {@value #FEWEST_EFFECTIVE}: a few large weights decide the estimate and its bootstrap.</li>
 *   <li><b>Clipping bias</b> (clipped IPS): the bound of the clipping bias is larger than the rest of the
 *   interval, so the interval mostly says how much was clipped away.</li>
 *   <li><b>An unchecked model</b> (direct method): its estimate falls outside doubly robust's interval, which
 *   corrects the same model with the logged rewards: the model is biased on this log.</li>
 * </ul>
 */
final class Trust {

    static final int FEWEST_MATCHES = 30;
    static final int FEWEST_EFFECTIVE = 30;
    /** Share of the target's probability on actions the log never took that makes its interval untrusted. */
    static final double LARGEST_UNSUPPORTED = 0.01;

    private Trust() {
    }

    /**
     * The reason each estimate cannot be trusted, or null, in the order of {@code estimates}.
     *
     * @param unsupported the target's mean probability, over the rounds, on actions the log never took
     */
    static String[] reasons(List<Estimator> estimators, List<Evaluator.Estimate> estimates, ScoredRound[] scored,
                            Diagnostics d, double unsupported) {
        String[] reasons = new String[estimates.size()];
        Evaluator.Estimate robust = null;
        for (int e = 0; e < estimators.size(); e++) {
            if (estimators.get(e) instanceof DoublyRobust) {
                robust = estimates.get(e);
            }
        }
        for (int e = 0; e < estimators.size(); e++) {
            Estimator estimator = estimators.get(e);
            Evaluator.Estimate estimate = estimates.get(e);
            String reason = null;
            if (!(estimator instanceof DirectMethod) && unsupported > LARGEST_UNSUPPORTED) {
                reason = String.format(Locale.ROOT, "missing support: the target puts %.1f%% of its probability on "
                        + "actions the log never took", 100 * unsupported);
            } else if (estimator instanceof Replay && d.replayMatches() < FEWEST_MATCHES) {
                reason = "only " + d.replayMatches() + " matched rounds (at least " + FEWEST_MATCHES + " needed)";
            } else if ((estimator instanceof SelfNormalizedInversePropensity || estimator instanceof DoublyRobust
                    || estimator instanceof InversePropensity ip && Double.isInfinite(ip.clip()))
                    && d.effectiveSize() < FEWEST_EFFECTIVE) {
                reason = String.format(Locale.ROOT, "an effective sample of only %.1f rounds (at least %d needed)",
                        d.effectiveSize(), FEWEST_EFFECTIVE);
            } else if (estimator instanceof InversePropensity ip && Double.isFinite(ip.clip())) {
                double[] bias = estimator.biasBounds(scored);
                double spread = bias[1] - bias[0];
                double width = estimate.high() - estimate.low();
                if (spread > 0 && spread > width - spread) {
                    reason = String.format(Locale.ROOT, "clipping bias: weights above %s carry a bias of up to %.4g, "
                            + "more than the rest of the interval; read IPS or SNIPS", Diagnostics.format(ip.clip()),
                            spread);
                }
            } else if (estimator instanceof DirectMethod && robust != null && Double.isFinite(robust.low())
                    && (estimate.value() < robust.low() || estimate.value() > robust.high())) {
                reason = String.format(Locale.ROOT, "the reward model is biased on this log: the direct method's "
                        + "%.5f is outside doubly robust's interval [%.5f, %.5f]", estimate.value(), robust.low(),
                        robust.high());
            }
            reasons[e] = reason;
        }
        return reasons;
    }
}
