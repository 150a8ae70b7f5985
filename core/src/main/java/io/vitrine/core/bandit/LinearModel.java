package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;

/**
 * Statistics of one linear model and its posterior, recomputed (O(d^3)) only when the statistics changed since
 * the last read: a policy reads it once per round but updates at most one model per round.
 */
final class LinearModel {

    private final NigPrior prior;
    private final SufficientStatistics statistics;
    private NormalInverseGammaPosterior posterior;

    LinearModel(int d, NigPrior prior) {
        this.prior = prior;
        this.statistics = SufficientStatistics.empty(d);
    }

    int dimension() {
        return statistics.dimension();
    }

    void update(float[] x, double r) {
        statistics.update(x, r);
        posterior = null;
    }

    NormalInverseGammaPosterior posterior() {
        if (posterior == null) {
            posterior = NormalInverseGammaPosterior.fromStatistics(statistics, prior);
        }
        return posterior;
    }

    static void requireDimension(float[] x, int d, String what) {
        if (x.length != d) {
            throw new IllegalArgumentException(what + " has " + x.length + " features but the model was built for "
                    + d + "; contexts and arm features must keep their length across rounds");
        }
    }
}
