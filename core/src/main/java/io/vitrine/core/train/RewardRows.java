package io.vitrine.core.train;

import java.util.Arrays;

/**
 * Training rows of the reward network, in log order: row i is the input {@code concat(context, candidate features)}
 * of reward i and its reward (a 0/1 click or a real value). Every row has the feature counts of the first one, since
 * a network has one input width. Append-only; {@link RewardNetworkTraining} never writes the rows.
 */
public final class RewardRows {

    private final int contextFeatures;
    private final int candidateFeatures;
    private float[][] inputs;
    private double[] rewards;
    private int size;

    /**
     * An empty log for rows with this layout.
     *
     * @throws IllegalArgumentException when a count is negative or both are 0 (a network needs an input)
     */
    public RewardRows(int contextFeatures, int candidateFeatures) {
        this(contextFeatures, candidateFeatures, new float[256][], new double[256], 0);
    }

    private RewardRows(int contextFeatures, int candidateFeatures, float[][] inputs, double[] rewards, int size) {
        if (contextFeatures < 0 || candidateFeatures < 0 || contextFeatures + candidateFeatures == 0) {
            throw new IllegalArgumentException("a reward row needs at least one feature and no negative count, got "
                    + contextFeatures + " context and " + candidateFeatures + " candidate features");
        }
        this.contextFeatures = contextFeatures;
        this.candidateFeatures = candidateFeatures;
        this.inputs = inputs;
        this.rewards = rewards;
        this.size = size;
    }

    /**
     * The first {@code size} rows of arrays the caller already holds (not copied, and not checked row by row: the
     * caller built them with the same checks as {@link #add}). The caller must not change those rows afterwards.
     *
     * @throws IllegalArgumentException when the arrays are shorter than {@code size} or a row has another width
     */
    public static RewardRows view(int contextFeatures, int candidateFeatures, float[][] inputs, double[] rewards,
                                  int size) {
        if (inputs == null || rewards == null || size < 0 || inputs.length < size || rewards.length < size) {
            throw new IllegalArgumentException("need " + size + " inputs and rewards, got "
                    + (inputs == null ? "no" : inputs.length) + " and " + (rewards == null ? "no" : rewards.length));
        }
        int width = contextFeatures + candidateFeatures;
        for (int i = 0; i < size; i++) {
            if (inputs[i] == null || inputs[i].length != width) {
                throw new IllegalArgumentException("row " + i + " has " + (inputs[i] == null ? "no" : inputs[i].length)
                        + " features, expected " + contextFeatures + " + " + candidateFeatures);
            }
        }
        return new RewardRows(contextFeatures, candidateFeatures, inputs, rewards, size);
    }

    /**
     * Appends a row.
     *
     * @throws IllegalArgumentException naming the row's index when its feature counts differ from the log's, a
     *                                  feature is not finite or the reward is not finite; nothing is appended then
     */
    public void add(float[] context, float[] candidate, double reward) {
        int cf = context == null ? 0 : context.length;
        int af = candidate == null ? 0 : candidate.length;
        if (cf != contextFeatures || af != candidateFeatures) {
            throw new IllegalArgumentException("row " + size + " has " + cf + " context and " + af
                    + " candidate features, the log has " + contextFeatures + " and " + candidateFeatures);
        }
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("row " + size + " has a reward that is not finite: " + reward);
        }
        float[] x = new float[contextFeatures + candidateFeatures];
        if (cf > 0) {
            System.arraycopy(context, 0, x, 0, cf);
        }
        if (af > 0) {
            System.arraycopy(candidate, 0, x, cf, af);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("row " + size + " has a feature that is not finite: "
                        + (i < cf ? "context " + i : "candidate " + (i - cf)) + " = " + x[i]);
            }
        }
        if (size == inputs.length) {
            inputs = Arrays.copyOf(inputs, 2 * size);
            rewards = Arrays.copyOf(rewards, 2 * size);
        }
        inputs[size] = x;
        rewards[size] = reward;
        size++;
    }

    public int contextFeatures() {
        return contextFeatures;
    }

    public int candidateFeatures() {
        return candidateFeatures;
    }

    /** The network's input width, context plus candidate features. */
    public int width() {
        return contextFeatures + candidateFeatures;
    }

    public int size() {
        return size;
    }

    /** Row i's network input {@code concat(context, candidate features)}; not a copy, do not write it. */
    public float[] input(int i) {
        return inputs[checked(i)];
    }

    public double reward(int i) {
        return rewards[checked(i)];
    }

    /** True when every reward is 0 or 1 (clicks). */
    public boolean binary() {
        for (int i = 0; i < size; i++) {
            if (rewards[i] != 0 && rewards[i] != 1) {
                return false;
            }
        }
        return true;
    }

    /** The backing arrays, for the trainer's batches: valid up to {@link #size()}. */
    float[][] inputArray() {
        return inputs;
    }

    double[] rewardArray() {
        return rewards;
    }

    private int checked(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("row " + i + " of " + size);
        }
        return i;
    }
}
