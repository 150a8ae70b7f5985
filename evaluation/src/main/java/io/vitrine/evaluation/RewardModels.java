package io.vitrine.evaluation;

import java.util.List;
import java.util.Locale;

/**
 * The reward models of a log, fitted once before any target is scored (they do not depend on the target):
 * {@value #FOLDS} cross-fitted ones, model f fitted without fold f (a round's fold is its index modulo
 * {@value #FOLDS}), so that each round's direct-method and doubly-robust terms come from a model that did not see
 * the round. Why cross-fitted: doubly robust's correction and standard error come from the residuals
 * r_t - r^(x_t, a_t), and residuals of the rounds a model was fitted on are too small where an action has few
 * rounds (Chernozhukov et al., "Double/debiased machine learning", Econometrics Journal 2018); the direct method's
 * terms of rounds the model saw repeat their own clicks. A log too small to split (under {@code 10 * FOLDS}
 * rounds) uses one model on the whole log.
 * <p>
 * The kind ({@link Kind}): by default the logistic model ({@link LogisticRewardModel}) when every reward is in
 * [0, 1], and the ridge model ({@link RidgeRewardModel}) otherwise. The logistic model's penalty is chosen by
 * the same {@value #FOLDS}-fold split: for each of the {@link #PENALTIES} of the actions' intercepts (their
 * slopes held near the shared ones), then for each of their slopes at the chosen intercepts' penalty, the fold
 * models are fitted and scored by their weighted log-loss on the fold they did not see; the penalties of the
 * smallest loss have their fold models as the cross-fitted ones. On a log of more than {@value #MOST_VALIDATION_ROUNDS} rounds the penalty is chosen on an evenly spaced
 * subsample of that many rounds, and the fold models are then fitted on the whole log: a penalty is a prior
 * precision on the coefficients, the same whatever the log's size, and the choice costs a fixed time.
 * <p>
 * Speed: the fits are independent tasks (each fold's shared stage, each fold's and action's own part) run on
 * a pool of as many threads as there are processors, with the same models whatever the number of threads; the
 * fold models on the whole log start their Newton passes from the subsample's fold models of the chosen
 * penalties, which converge to the same optimum in fewer passes.
 */
public final class RewardModels {

    static final int FOLDS = 5;

    /** The ridge penalty of the command line's default. */
    public static final double DEFAULT_RIDGE = 0.01;

    /** The candidate penalties of each action's own intercept and of its slopes in the logistic model. */
    static final double[] PENALTIES = {0.1, 1, 10, 100, 1000};

    /** The logistic model's penalties on a log too small to cross-validate. */
    static final double SMALL_LOG_PENALTY = 10;

    static final int MOST_VALIDATION_ROUNDS = 50_000;

    /** Which reward model to fit. */
    public enum Kind {
        /** Logistic for rewards in [0, 1], ridge otherwise. */
        AUTO,
        LOGISTIC,
        RIDGE
    }

    private final RewardModel[] folds;
    private final double penalty;
    private final String description;

    private RewardModels(RewardModel[] folds, double penalty, String description) {
        this.folds = folds;
        this.penalty = penalty;
        this.description = description;
    }

    /** The default kind ({@link Kind#AUTO}); {@code ridge} is the ridge model's penalty. */
    public static RewardModels fit(List<LoggedRound> log, double ridge) {
        return fit(log, Kind.AUTO, ridge);
    }

    /** On as many threads as the machine has processors. */
    public static RewardModels fit(List<LoggedRound> log, Kind kind, double ridge) {
        return fit(log, kind, ridge, Workers.available());
    }

    /**
     * With the logistic model's fits on {@code threads} threads: the models are the same, bit for bit, whatever
     * the number (each fit is a task of its own, see {@link LogisticRewardModel#fitAll}).
     */
    static RewardModels fit(List<LoggedRound> log, Kind kind, double ridge, int threads) {
        boolean unit = log.stream().allMatch(r -> r.reward() >= 0 && r.reward() <= 1);
        if (kind == Kind.LOGISTIC && !unit) {
            throw new IllegalArgumentException("the logistic reward model needs rewards in [0, 1]; this log has "
                    + "others (use --reward-model ridge)");
        }
        boolean split = log.size() >= 10 * FOLDS;
        if (kind == Kind.RIDGE || kind == Kind.AUTO && !unit) {
            int[] all = Evaluator.everyRound(log.size());
            RewardModel[] folds = split ? new RewardModel[FOLDS] : new RewardModel[] {RidgeRewardModel.fit(log, all,
                    ridge)};
            if (split) {
                for (int f = 0; f < FOLDS; f++) {
                    folds[f] = RidgeRewardModel.fit(log, training(all, f), ridge);
                }
            }
            return new RewardModels(folds, ridge, String.format(Locale.ROOT, "ridge per action (penalty %s)%s",
                    Diagnostics.format(ridge), split ? ", cross-fitted over " + FOLDS + " folds" : ""));
        }
        LogisticRewardModel.Design design = new LogisticRewardModel.Design(log);
        int[] all = Evaluator.everyRound(log.size());
        if (!split) {
            LogisticRewardModel.Penalty penalty = new LogisticRewardModel.Penalty(SMALL_LOG_PENALTY, SMALL_LOG_PENALTY);
            return new RewardModels(new RewardModel[] {LogisticRewardModel.fit(design, all, penalty)},
                    SMALL_LOG_PENALTY, String.format(Locale.ROOT, "logistic (penalties %s: too few rounds to "
                            + "cross-validate)", penalty));
        }
        int[] validation = all;
        if (log.size() > MOST_VALIDATION_ROUNDS) {
            validation = new int[MOST_VALIDATION_ROUNDS];
            for (int i = 0; i < validation.length; i++) {
                validation[i] = (int) ((long) i * log.size() / MOST_VALIDATION_ROUNDS);
            }
        }
        try (Workers workers = new Workers(threads)) {
            // The shared stage does not depend on the actions' penalties: fitted once per fold.
            int[] sampled = validation;
            LogisticRewardModel.Shared[] shared = workers.map(FOLDS,
                    f -> LogisticRewardModel.Shared.fit(design, training(sampled, f), null))
                    .toArray(new LogisticRewardModel.Shared[0]);
            int[][] heldOut = new int[FOLDS][];
            for (int f = 0; f < FOLDS; f++) {
                heldOut[f] = heldOut(validation, f);
            }
            // Coordinate search: the intercepts' penalty with the slopes held near the shared ones (the largest
            // penalty), then the slopes' penalty at that: 2 x 5 fits per fold instead of 25.
            double largest = PENALTIES[PENALTIES.length - 1];
            List<LogisticRewardModel.Penalty> intercepts = new java.util.ArrayList<>();
            for (double intercept : PENALTIES) {
                intercepts.add(new LogisticRewardModel.Penalty(intercept, largest));
            }
            Validated first = validate(shared, heldOut, intercepts, workers);
            List<LogisticRewardModel.Penalty> slopes = new java.util.ArrayList<>();
            for (double slope : PENALTIES) {
                slopes.add(new LogisticRewardModel.Penalty(first.penalty().intercept(), slope));
            }
            Validated second = validate(shared, heldOut, slopes, workers);
            LogisticRewardModel.Penalty best = second.penalty();
            LogisticRewardModel[] bestFolds = second.folds();
            if (validation != all) {
                // The fold models on the whole log start from the subsample's models of the chosen penalties, which
                // lie near their optimum: fewer Newton passes over the whole log than from zero, the same optimum.
                LogisticRewardModel[] start = bestFolds;
                LogisticRewardModel.Shared[] whole = workers.map(FOLDS,
                        f -> LogisticRewardModel.Shared.fit(design, training(all, f), start[f]))
                        .toArray(new LogisticRewardModel.Shared[0]);
                bestFolds = LogisticRewardModel.fitAll(whole, best, start, workers);
            }
            return new RewardModels(bestFolds, best.intercept(), String.format(Locale.ROOT, "logistic, penalties %s "
                            + "chosen by %d-fold cross-validation%s, cross-fitted over %d folds", best, FOLDS,
                    validation != all ? String.format(Locale.ROOT, " on %,d of the rounds", validation.length) : "",
                    FOLDS));
        }
    }

    /** The penalties of the smallest held-out loss among some, with their fold models. */
    private record Validated(LogisticRewardModel.Penalty penalty, LogisticRewardModel[] folds) {
    }

    private static Validated validate(LogisticRewardModel.Shared[] shared, int[][] heldOut,
                                      List<LogisticRewardModel.Penalty> penalties, Workers workers) {
        Validated best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (LogisticRewardModel.Penalty penalty : penalties) {
            LogisticRewardModel[] folds = LogisticRewardModel.fitAll(shared, penalty, null, workers);
            double loss = 0;
            for (int f = 0; f < FOLDS; f++) {
                for (double l : folds[f].logLosses(heldOut[f])) {
                    loss += l;
                }
            }
            if (loss < bestLoss) {
                bestLoss = loss;
                best = new Validated(penalty, folds);
            }
        }
        return best;
    }

    /** The rounds of {@code rounds} outside fold f (by position, so that a subsample's folds are even). */
    private static int[] training(int[] rounds, int fold) {
        return filter(rounds, fold, false);
    }

    private static int[] heldOut(int[] rounds, int fold) {
        return filter(rounds, fold, true);
    }

    private static int[] filter(int[] rounds, int fold, boolean in) {
        return java.util.stream.IntStream.range(0, rounds.length).filter(i -> (i % FOLDS == fold) == in)
                .map(i -> rounds[i]).toArray();
    }

    /** The model that did not see round {@code index}. */
    RewardModel crossFitted(int index) {
        return folds.length == 1 ? folds[0] : folds[index % FOLDS];
    }

    /** The penalty in use: the ridge's, or the logistic model's chosen one on the actions' intercepts. */
    double penalty() {
        return penalty;
    }

    /** Which model, with which penalty, for the report. */
    public String description() {
        return description;
    }
}
