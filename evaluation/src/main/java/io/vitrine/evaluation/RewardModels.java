package io.vitrine.evaluation;

import java.util.List;

/**
 * The reward models of a log, fitted once before any target is scored (they do not depend on the target): one
 * on the whole log for the direct method, and {@value #FOLDS} cross-fitted ones for doubly robust, model f fitted
 * without fold f (a round's fold is its index modulo {@value #FOLDS}). Why cross-fitted: doubly robust's
 * correction and standard error come from the residuals r_t - r^(x_t, a_t), and residuals of the rounds a model
 * was fitted on are too small where an action has few rounds (Chernozhukov et al., "Double/debiased machine
 * learning", Econometrics Journal 2018). A log too small to split (under {@code 10 * FOLDS} rounds) uses the
 * whole-log model for both.
 */
public final class RewardModels {

    static final int FOLDS = 5;

    /** The ridge penalty of the command line's default. */
    public static final double DEFAULT_RIDGE = 0.01;

    private final RidgeRewardModel full;
    private final RidgeRewardModel[] folds;

    private RewardModels(RidgeRewardModel full, RidgeRewardModel[] folds) {
        this.full = full;
        this.folds = folds;
    }

    public static RewardModels fit(List<LoggedRound> log, double lambda) {
        int[] all = Evaluator.everyRound(log.size());
        RidgeRewardModel full = RidgeRewardModel.fit(log, all, lambda);
        if (log.size() < 10 * FOLDS) {
            return new RewardModels(full, null);
        }
        RidgeRewardModel[] folds = new RidgeRewardModel[FOLDS];
        for (int f = 0; f < FOLDS; f++) {
            int fold = f;
            folds[f] = RidgeRewardModel.fit(log, java.util.Arrays.stream(all).filter(i -> i % FOLDS != fold).toArray(),
                    lambda);
        }
        return new RewardModels(full, folds);
    }

    RidgeRewardModel full() {
        return full;
    }

    /** The model that did not see round {@code index}. */
    RidgeRewardModel crossFitted(int index) {
        return folds == null ? full : folds[index % FOLDS];
    }
}
