package io.vitrine.cli.train;

import io.vitrine.core.train.RewardRows;
import java.util.List;

/**
 * Collects training rows one reward at a time and checks each as it comes, so that a bad record is named by where
 * it was read rather than found later by row number: every row must have the feature counts of the first one (an
 * encoder has one input width), finite features, and a reward in [0, 1] (the logistic loss reads it as a click).
 */
final class LoggedRewards {

    private int contextFeatures = -1;
    private int candidateFeatures = -1;
    private String first;
    private RewardRows rows;

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
            rows = new RewardRows(contextFeatures, candidateFeatures);
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
        float[] contextRow = finite(source, "context", context);
        float[] candidateRow = finite(source, "candidate", candidate);
        rows.add(contextRow, candidateRow, reward);
    }

    private static float[] finite(String source, String part, List<Float> values) {
        float[] x = new float[values.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = values.get(i);
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("record " + source + " has a non-finite " + part + " feature " + i
                        + ": " + x[i]);
            }
        }
        return x;
    }

    int size() {
        return rows == null ? 0 : rows.size();
    }

    /** The rows so far, in the order read; call once all are added. */
    RewardRows rows() {
        if (rows == null || rows.size() == 0) {
            throw new IllegalStateException("no rows");
        }
        return rows;
    }
}
