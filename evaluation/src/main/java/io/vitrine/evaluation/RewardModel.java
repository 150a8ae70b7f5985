package io.vitrine.evaluation;

/**
 * A model r^(x, a) of a round's expected reward had action a been taken, fitted on a log: what the direct method
 * averages and doubly robust corrects ({@link RewardModels} fits them).
 */
public interface RewardModel {

    /** r^(x, a) of one action of the round. */
    double predict(LoggedRound round, int action);

    /** sum_a pi(a) r^(x, a): the modelled reward of a policy's probabilities; actions with pi(a) = 0 cost nothing. */
    default double expected(LoggedRound round, double[] pi) {
        double sum = 0;
        for (int a = 0; a < pi.length; a++) {
            if (pi[a] != 0) {
                sum += pi[a] * predict(round, a);
            }
        }
        return sum;
    }
}
