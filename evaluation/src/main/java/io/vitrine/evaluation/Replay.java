package io.vitrine.evaluation;

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
