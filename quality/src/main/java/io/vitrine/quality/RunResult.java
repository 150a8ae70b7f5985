package io.vitrine.quality;

/**
 * What one run measured. Rewards are expected rewards of the chosen arms (click probabilities in the
 * image world), so the numbers are free of reward noise; {@code realizedReward} is what was drawn.
 *
 * @param group          the table column, e.g. {@code wheel δ=0.90}
 * @param policy         the policy's name
 * @param seed           the environment's seed
 * @param rounds         decisions made
 * @param regret         cumulative regret: sum of (best expected reward - chosen arm's expected reward)
 * @param expectedReward sum of the chosen arms' expected rewards
 * @param oracleReward   sum of the best expected rewards
 * @param realizedReward sum of the rewards the policy actually received
 * @param curveRounds    rounds at the end of each curve window
 * @param curveRegret    cumulative regret at the end of each window
 * @param curveRatio     expected reward / oracle reward within each window (CTR relative to the oracle)
 * @param millis         wall-clock time of the run
 */
public record RunResult(String group, String policy, long seed, int rounds, double regret, double expectedReward,
                        double oracleReward, double realizedReward, int[] curveRounds, double[] curveRegret,
                        double[] curveRatio, long millis) {

    /** Expected reward relative to the oracle over the whole run. */
    public double ratio() {
        return expectedReward / oracleReward;
    }

    /** Expected reward relative to the oracle in the last curve window (after all decisions). */
    public double finalRatio() {
        return curveRatio[curveRatio.length - 1];
    }
}
