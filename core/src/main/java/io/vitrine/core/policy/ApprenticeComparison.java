package io.vitrine.core.policy;

import java.util.List;

/**
 * Vitrine beside the incumbent it shadows in a slot in apprentice mode: from the rewarded rounds of such a slot (the
 * incumbent's choice served, Vitrine's would-be choice logged), the incumbent's click rate, how often the two agree,
 * and Vitrine's estimated click rate, each with a 95% interval. The learner's console and {@code vitrine evaluate}
 * both report it from the same rounds, so the live numbers equal an offline evaluation of the same log.
 *
 * <p>What can be estimated depends on the incumbent's propensities:
 * <ul>
 *   <li>With a propensity p_t for every served choice, Vitrine's value is the inverse-propensity estimate of its
 *   would-be choice (a draw from its Thompson policy): {@code V = (1/n) sum_t 1[would_t = served_t] r_t / p_t},
 *   unbiased when the propensities are right and every candidate Vitrine can choose has p &gt; 0.</li>
 *   <li>A deterministic incumbent (no propensities) shows only its own choice: its reward is observed for it alone.
 *   The posterior still learns those candidates (the learner updates on every served choice), but Vitrine's value
 *   is observed only where it agrees with the incumbent. The mean reward over those matched rounds is reported,
 *   flagged as not an unbiased estimate: the rounds where the two agree are not a random sample (they are the
 *   contexts where the incumbent already picks what Vitrine picks), and the rounds where Vitrine differs are not
 *   observed at all. The remedy is the incumbent's propensities or a small exploration share in the incumbent.</li>
 * </ul>
 * Intervals are normal (mean plus or minus 1.96 standard errors of the per-round terms), Wilson's for the
 * agreement rate; {@code vitrine evaluate} adds bootstrap intervals for IPS, SNIPS and doubly robust.
 */
public final class ApprenticeComparison {

    /** The normal quantile of a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    /**
     * One rewarded round of a slot in apprentice mode.
     *
     * @param reward              the served (incumbent's) choice's reward
     * @param agreed              whether Vitrine's would-be choice was the served one
     * @param incumbentPropensity the incumbent's propensity of the served choice, null when it sent none
     */
    public record Round(double reward, boolean agreed, Double incumbentPropensity) {
    }

    /** An estimate with its interval; {@code estimator} says how it was made. */
    public record Estimate(String estimator, double value, double low, double high) {
    }

    /**
     * The comparison over {@code rounds} rewarded rounds, {@code agreed} of them with the same choice.
     *
     * @param incumbent the incumbent's click rate (the mean reward of the served choices)
     * @param agreement the share of rounds where Vitrine would have chosen what was served
     * @param vitrine   Vitrine's estimated click rate, null when nothing estimates it (no round matched)
     * @param unbiased  whether {@code vitrine} is an unbiased estimate (every round has the incumbent's propensity)
     * @param note      what the numbers allow, in a sentence
     */
    public record Report(int rounds, int agreed, Estimate incumbent, Estimate agreement, Estimate vitrine,
                         boolean unbiased, String note) {
    }

    private ApprenticeComparison() {
    }

    /** The comparison of the rounds; null when there are none. */
    public static Report of(List<Round> rounds) {
        int n = rounds.size();
        if (n == 0) {
            return null;
        }
        double[] served = new double[n];
        int agreed = 0;
        boolean propensities = true;
        for (int t = 0; t < n; t++) {
            Round round = rounds.get(t);
            served[t] = round.reward();
            agreed += round.agreed() ? 1 : 0;
            propensities &= round.incumbentPropensity() != null;
        }
        Estimate incumbent = normal("mean reward", served, n);
        Estimate agreement = wilson(agreed, n);
        if (propensities) {
            double[] terms = new double[n];
            for (int t = 0; t < n; t++) {
                Round round = rounds.get(t);
                terms[t] = round.agreed() ? round.reward() / round.incumbentPropensity() : 0;
            }
            return new Report(n, agreed, incumbent, agreement, normal("IPS", terms, n), true,
                    "Vitrine's click rate estimated off-policy from the incumbent's propensities (unbiased).");
        }
        double[] matched = new double[agreed];
        int m = 0;
        for (Round round : rounds) {
            if (round.agreed()) {
                matched[m++] = round.reward();
            }
        }
        Estimate vitrine = agreed == 0 ? null : normal("matched rounds", matched, agreed);
        return new Report(n, agreed, incumbent, agreement, vitrine, false,
                "The incumbent sent no propensities: Vitrine's click rate is the mean reward where it agreed with"
                        + " the incumbent, which is not an unbiased estimate of its value. Send the incumbent's"
                        + " propensities, or give it a small exploration share.");
    }

    /** The mean of {@code values[0..count)} with mean +- 1.96 standard errors (no width for fewer than two). */
    private static Estimate normal(String estimator, double[] values, int count) {
        double mean = 0;
        for (int i = 0; i < count; i++) {
            mean += values[i];
        }
        mean /= count;
        double squares = 0;
        for (int i = 0; i < count; i++) {
            squares += (values[i] - mean) * (values[i] - mean);
        }
        double se = count < 2 ? 0 : Math.sqrt(squares / (count - 1) / count);
        return new Estimate(estimator, mean, mean - Z95 * se, mean + Z95 * se);
    }

    /** Wilson's score interval of a proportion: stays inside [0, 1] and is not empty at 0 or n successes. */
    private static Estimate wilson(int successes, int n) {
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return new Estimate("share", p, Math.max(0, centre - half), Math.min(1, centre + half));
    }
}
