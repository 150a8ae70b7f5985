package io.vitrine.evaluation;

/**
 * A logged round with what every estimator needs of the target policy, computed once when the round is scored
 * ({@link Evaluator#score}): the importance weight, the reward models' expectations under the target, and a
 * draw from the target for the replay estimator. The target's probabilities themselves are not kept: a million
 * rounds of eighty actions would hold 640 MB per target.
 *
 * @param round          the logged round
 * @param weight         pi(a_t | x_t) / mu(a_t | x_t), the importance weight of the logged action
 * @param draw           an action drawn from the target with the evaluation's seeded generator
 * @param accept         a uniform number in [0, 1), fixed per round, for the replay's rejection step
 * @param modelled       sum_a pi(a | x_t) r^(x_t, a) under the reward model fitted without this round's fold
 *                       ({@link RewardModels}): the direct method's term
 * @param predicted      r^(x_t, a_t) of the logged action under that model
 * @param unsupported    the target's probability on actions the log never took (no estimator but the model sees
 *                       them)
 */
public record ScoredRound(LoggedRound round, double weight, int draw, double accept, double modelled,
                          double predicted, double unsupported) {

    /** Doubly robust's term: the model's expectation plus the weighted correction of its error. */
    public double doublyRobust() {
        return modelled + weight * (round.reward() - predicted);
    }
}
