package io.vitrine.loadtest.train;

import java.util.Arrays;
import java.util.List;

/**
 * Collects training rows one reward at a time and checks each as it comes, so that a bad record is named by where
 * it was read rather than found later by row number: every row must have the feature counts of the first one (an
 * encoder has one input width), finite features, and a reward in [0, 1] (the logistic loss reads it as a click).
 */
final class RewardRows {

    private int contextFeatures = -1;
    private int candidateFeatures = -1;
    private String first;
    private float[][] inputs = new float[1024][];
    private double[] targets = new double[1024];
    private int n;

    /**
     * @param source where the reward was read, e.g. {@code vitrine.rewards-2@417 (request r-1, candidate c-9)}
     * @throws IllegalArgumentException naming {@code source} when the row does not fit
     */
    void add(String source, List<Float> context, List<Float> candidate, double reward) {
        if (contextFeatures < 0) {
            contextFeatures = context.size();
            candidateFeatures = candidate.size();
            first = source;
            if (contextFeatures + candidateFeatures == 0) {
                throw new IllegalArgumentException("record " + source + " has no context and no candidate features;"
                        + " an encoder needs at least one input");
            }
        } else if (context.size() != contextFeatures || candidate.size() != candidateFeatures) {
            throw new IllegalArgumentException("mixed feature lengths: record " + source + " has "
                    + context.size() + " context and " + candidate.size() + " candidate features, but the first"
                    + " record " + first + " has " + contextFeatures + " and " + candidateFeatures
                    + "; an encoder has one input width, so train on one slot (--slot) or one feature layout");
        }
        if (!(reward >= 0 && reward <= 1)) {
            throw new IllegalArgumentException("record " + source + " has reward " + reward
                    + "; the logistic loss needs clicks in [0, 1]");
        }
        float[] x = new float[contextFeatures + candidateFeatures];
        for (int i = 0; i < contextFeatures; i++) {
            x[i] = context.get(i);
        }
        for (int i = 0; i < candidateFeatures; i++) {
            x[contextFeatures + i] = candidate.get(i);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("record " + source + " has a non-finite feature " + i + ": " + x[i]);
            }
        }
        if (n == inputs.length) {
            inputs = Arrays.copyOf(inputs, 2 * n);
            targets = Arrays.copyOf(targets, 2 * n);
        }
        inputs[n] = x;
        targets[n] = reward;
        n++;
    }

    int size() {
        return n;
    }

    /** The rows so far; call once all are added. */
    TrainingData data() {
        if (n == 0) {
            throw new IllegalStateException("no rows");
        }
        return new TrainingData(contextFeatures, candidateFeatures, Arrays.copyOf(inputs, n), Arrays.copyOf(targets, n));
    }
}
