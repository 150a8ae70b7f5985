package io.vitrine.evaluation;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The replay method (Li, Chu, Langford and Wang, "Unbiased offline evaluation of contextual-bandit-based news
 * article recommendation algorithms", WSDM 2011): keep the rounds where the target policy's choice equals the
 * logged action and average their rewards,
 * <pre>
 *   V_replay = sum_t 1[a~_t = a_t] r_t / sum_t 1[a~_t = a_t],   a~_t ~ pi(. | x_t)
 * </pre>
 * Li et al. prove it unbiased for logs of a uniformly random policy. For other logging policies a rejection
 * step first thins the log to one that looks uniformly logged: round t is kept with probability
 * mu_min / mu(a_t | x_t), mu_min the smallest logged propensity, which makes the kept actions uniform when
 * mu_min bounds every action's propensity from below (it is the smallest one seen, so the step is exact when
 * the logging policy gives every action at least that probability). The price is the data the step discards;
 * the diagnostics report the rounds kept.
 * <p>
 * Interval: the kept, matched rounds are m independent draws of the target's reward, with m small (about 10 of a
 * 500-round Thompson-sampling log here). When every reward lies in [0, 1] (clicks), the interval is Wilson's score
 * interval (Wilson, JASA 1927) of their mean,
 * <pre>
 *   (V + z^2 / 2m  +-  z sqrt(V (1 - V) / m + z^2 / 4m^2)) / (1 + z^2 / m)
 * </pre>
 * which holds for any reward in [0, 1] since its variance is at most V (1 - V). Why not the bootstrap: a handful
 * of matched rounds with no click gives a bootstrap distribution that is all zeros and an interval [0, 0]; that
 * was every miss of the percentile interval in the coverage study (22 of 300 logs, all with the truth above).
 * Other rewards get the bootstrap's expanded percentile interval ({@link Bootstrap}).
 */
public final class Replay implements Estimator {

    @Override
    public String name() {
        return "replay";
    }

    @Override
    public double estimate(ScoredRound[] rounds, int[] sample) {
        double sum = 0;
        int kept = 0;
        for (int i : kept(rounds, sample)) {
            sum += rounds[i].round().reward();
            kept++;
        }
        return kept > 0 ? sum / kept : Double.NaN;
    }

    @Override
    public double[] directInterval(ScoredRound[] rounds, double level) {
        int[] kept = kept(rounds, Evaluator.everyRound(rounds.length));
        if (kept.length == 0) {
            return null;
        }
        double sum = 0;
        for (int i : kept) {
            double r = rounds[i].round().reward();
            if (!(r >= 0 && r <= 1)) {
                return null;
            }
            sum += r;
        }
        return wilson(sum / kept.length, kept.length, level);
    }

    /** Wilson's score interval of a mean {@code v} of {@code m} values in [0, 1]. */
    static double[] wilson(double v, int m, double level) {
        double z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability((1 + level) / 2);
        double z2m = z * z / m;
        double center = (v + z2m / 2) / (1 + z2m);
        double half = z * Math.sqrt(v * (1 - v) / m + z2m / (4 * m)) / (1 + z2m);
        return new double[] {Math.max(0, center - half), Math.min(1, center + half)};
    }

    /** The kept rounds' rewards over the kept rounds; an expanded percentile interval (rounds kept vary). */
    @Override
    public Terms terms(ScoredRound[] rounds) {
        double[] a = new double[rounds.length];
        double[] b = new double[rounds.length];
        for (int i : kept(rounds, Evaluator.everyRound(rounds.length))) {
            a[i] = rounds[i].round().reward();
            b[i] = 1;
        }
        return new Terms(a, b, a, b, false);
    }

    @Override
    public int averagedRounds(ScoredRound[] rounds) {
        return matched(rounds);
    }

    /** Rounds kept by the rejection step and matched by the target's draw. */
    public static int matched(ScoredRound[] rounds) {
        return kept(rounds, Evaluator.everyRound(rounds.length)).length;
    }

    /** The entries of {@code sample} that the rejection step keeps and the target's draw matches. */
    private static int[] kept(ScoredRound[] rounds, int[] sample) {
        double smallest = Double.POSITIVE_INFINITY;
        for (int i : sample) {
            smallest = Math.min(smallest, rounds[i].round().propensity());
        }
        double floor = smallest;
        return java.util.Arrays.stream(sample).filter(i -> {
            ScoredRound r = rounds[i];
            return r.accept() < floor / r.round().propensity() && r.draw() == r.round().action();
        }).toArray();
    }
}
