package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;

import java.util.HashMap;
import java.util.Map;

/**
 * The linear models of a baseline in a {@link FeatureMode}: one per arm id (PER_ARM) or one for all (SHARED).
 * The dimension is fixed by the first round seen.
 */
final class LinearModels {

    private final FeatureMode mode;
    private final NigPrior prior;
    private final Map<String, LinearModel> perArm = new HashMap<>();
    private LinearModel shared;
    private int d = -1;

    LinearModels(FeatureMode mode, NigPrior prior) {
        if (mode == null || prior == null) {
            throw new IllegalArgumentException("feature mode and prior must not be null");
        }
        this.mode = mode;
        this.prior = prior;
    }

    FeatureMode mode() {
        return mode;
    }

    /** The feature vector of arm a in the round, checked against the model dimension. */
    float[] features(Round round, int a) {
        float[] x = mode.features(round, round.arms().get(a));
        if (d < 0) {
            d = x.length;
        }
        LinearModel.requireDimension(x, d, mode == FeatureMode.PER_ARM ? "context + intercept"
                : "context + arm features + intercept of arm '" + round.arms().get(a).id() + "'");
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                throw new IllegalArgumentException("feature " + i + " of arm '" + round.arms().get(a).id()
                        + "' is not finite: " + x[i]);
            }
        }
        return x;
    }

    /** The model scoring arm a of the round (created from the prior on first use). */
    LinearModel model(Round round, int a) {
        if (mode == FeatureMode.SHARED) {
            if (shared == null) {
                shared = new LinearModel(d, prior);
            }
            return shared;
        }
        return perArm.computeIfAbsent(round.arms().get(a).id(), id -> new LinearModel(d, prior));
    }
}
