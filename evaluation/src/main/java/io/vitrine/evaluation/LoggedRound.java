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
 * @param slot       where the decision was shown, or null when the log does not say (one slot)
 * @param candidates the features of every action of the round, one row per action, or null when the log
 *                   names actions only by their index
 */
public record LoggedRound(float[] context, int actions, int action, double reward, double propensity, String slot,
                          float[][] candidates) {

    /** A round of a log that names actions by index only, in one slot. */
    public LoggedRound(float[] context, int actions, int action, double reward, double propensity) {
        this(context, actions, action, reward, propensity, null, null);
    }

    public LoggedRound {
        if (candidates != null && candidates.length != actions) {
            throw new IllegalArgumentException("the round has " + actions + " actions but " + candidates.length
                    + " candidate feature rows");
        }
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
