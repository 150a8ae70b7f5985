package io.vitrine.evaluation;

/**
 * One logged decision: what the logging policy saw, which of the round's actions it took, the reward it got,
 * and the probability with which it took that action.
 *
 * @param context    context features
 * @param actions    number of actions available in the round (the action set, indexed from 0)
 * @param action     the action taken, in [0, actions)
 * @param reward     the observed reward, finite
 * @param propensity the logging policy's probability of {@code action}, in (0, 1]
 */
public record LoggedRound(float[] context, int actions, int action, double reward, double propensity) {

    public LoggedRound {
        if (context == null) {
            throw new IllegalArgumentException("context must not be null");
        }
        if (actions < 1 || action < 0 || action >= actions) {
            throw new IllegalArgumentException("action " + action + " is not one of the round's " + actions
                    + " actions");
        }
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward);
        }
        if (!(propensity > 0 && propensity <= 1)) {
            throw new IllegalArgumentException("propensity must be in (0, 1], got " + propensity);
        }
    }
}
