package io.vitrine.evaluation;

/**
 * A logged round with what every estimator needs of the target policy, computed once: its probabilities of
 * the round's actions, and a draw from them for the replay estimator.
 *
 * @param round  the logged round
 * @param target pi(a | x) for every action a
 * @param draw   an action drawn from {@code target} with the evaluation's seeded generator
 * @param accept a uniform number in [0, 1), fixed per round, for the replay's rejection step
 */
public record ScoredRound(LoggedRound round, double[] target, int draw, double accept) {

    /** The importance weight pi(a_t | x_t) / mu(a_t | x_t) of the logged action. */
    public double weight() {
        return target[round.action()] / round.propensity();
    }
}
