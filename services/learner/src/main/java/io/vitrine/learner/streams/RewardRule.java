package io.vitrine.learner.streams;

/**
 * How a clicked window's reward is made from its click and the value its clicks reported (a booking, revenue, dwell
 * time: {@code Click.value}). The click term is {@code clickWeight}, the value term {@code valueWeight * value}
 * (0 without a value); {@link Combine#MAX} takes the larger, {@link Combine#WEIGHTED_SUM} their sum. With the default
 * weights of 1 a plain click is reward 1 under either rule, as before values existed. A window without a click
 * gets the configured default reward, not this rule.
 *
 * <p>Values outside {@code [minValue, maxValue]}, or not finite, are refused ({@link #problem}): one mistyped
 * revenue would otherwise dominate a posterior whose prior expects rewards on the click's scale.
 */
public record RewardRule(Combine combine, double clickWeight, double valueWeight, double minValue, double maxValue) {

    /** How the click and value terms combine. */
    public enum Combine {
        MAX,
        WEIGHTED_SUM
    }

    /** Clicks alone as before (reward 1), values in [0, 1] combined by the larger. */
    public static final RewardRule DEFAULT = new RewardRule(Combine.MAX, 1, 1, 0, 1);

    public RewardRule {
        if (combine == null) {
            throw new IllegalArgumentException("vitrine.learner.reward-rule.combine must be max or weighted-sum");
        }
        if (!Double.isFinite(clickWeight) || !Double.isFinite(valueWeight)) {
            throw new IllegalArgumentException("vitrine.learner.reward-rule weights must be finite, got click-weight "
                    + clickWeight + " and value-weight " + valueWeight);
        }
        if (!Double.isFinite(minValue) || !Double.isFinite(maxValue) || minValue > maxValue) {
            throw new IllegalArgumentException("vitrine.learner.reward-rule.min-value (" + minValue
                    + ") and max-value (" + maxValue + ") must be finite with min-value <= max-value");
        }
    }

    /**
     * The reward of a clicked window.
     *
     * @param value the largest value its clicks reported, or null when none did
     */
    public double reward(Double value) {
        double click = clickWeight;
        double worth = value == null ? 0 : valueWeight * value;
        return combine == Combine.MAX ? Math.max(click, worth) : click + worth;
    }

    /** Why a reported value cannot be used, or null when it can. */
    public String problem(double value) {
        if (!Double.isFinite(value)) {
            return "value " + value + " is not a finite number";
        }
        if (value < minValue || value > maxValue) {
            return "value " + value + " is outside [" + minValue + ", " + maxValue
                    + "] (vitrine.learner.reward-rule.min-value and max-value)";
        }
        return null;
    }
}
