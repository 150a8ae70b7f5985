package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the logistic reward models are fitted fast ({@link RewardModels}, {@link LogisticRewardModel}): the fits run
 * on a pool of threads with the same models, bit for bit, whatever its size; a fit started from another sample's
 * model ends at the same optimum as one started from zero, also on a log large enough for the objective's
 * rounding error to matter.
 */
class RewardModelFitTest {

    /** More rounds than the cross-validation's subsample, so that the whole-log fold fits are warm-started. */
    private static final List<LoggedRound> LOG = RewardModelsTest.page(RewardModels.MOST_VALIDATION_ROUNDS + 10_000,
            40, 0.01, true, 3);

    private static double[] coefficients(RewardModels models, int fold) {
        return ((LogisticRewardModel) models.crossFitted(fold)).coefficients();
    }

    @Test
    void oneAndTwoThreadsFitBitIdenticalModels() {
        RewardModels one = RewardModels.fit(LOG, RewardModels.Kind.LOGISTIC, RewardModels.DEFAULT_RIDGE, 1);
        RewardModels two = RewardModels.fit(LOG, RewardModels.Kind.LOGISTIC, RewardModels.DEFAULT_RIDGE, 2);
        assertEquals(one.description(), two.description());
        assertTrue(one.description().contains("on 50,000 of the rounds"), one.description());
        for (int fold = 0; fold < RewardModels.FOLDS; fold++) {
            assertArrayEquals(coefficients(one, fold), coefficients(two, fold), 0, "fold " + fold);
        }
        ScoredRound[] byOne = Evaluator.score(LOG, TargetPolicies.uniform(), 5, one);
        ScoredRound[] byTwo = Evaluator.score(LOG, TargetPolicies.uniform(), 5, two);
        for (int t = 0; t < LOG.size(); t++) {
            assertEquals(byOne[t], byTwo[t], "round " + t);
        }
    }

    @Test
    void aFitStartedFromAnotherSamplesModelEndsAtTheSameOptimumAsOneFromZero() {
        LogisticRewardModel.Design design = new LogisticRewardModel.Design(LOG);
        LogisticRewardModel.Penalty penalty = new LogisticRewardModel.Penalty(10, 100);
        int[] all = Evaluator.everyRound(LOG.size());
        int[] firstHalf = java.util.Arrays.copyOf(all, all.length / 2);
        try (Workers workers = new Workers(2)) {
            LogisticRewardModel start = LogisticRewardModel.fit(design, firstHalf, penalty);
            LogisticRewardModel cold = LogisticRewardModel.fit(design, all, penalty);
            LogisticRewardModel.Shared shared = LogisticRewardModel.Shared.fit(design, all, start);
            LogisticRewardModel warm = LogisticRewardModel.fitAll(new LogisticRewardModel.Shared[] {shared}, penalty,
                    new LogisticRewardModel[] {start}, workers)[0];
            double[] expected = cold.coefficients();
            double[] actual = warm.coefficients();
            double[] away = start.coefficients();
            double farthest = 0;
            for (int j = 0; j < expected.length; j++) {
                assertEquals(expected[j], actual[j], 1e-9, "coefficient " + j);
                farthest = Math.max(farthest, Math.abs(expected[j] - away[j]));
            }
            assertTrue(farthest > 1e-3, "the start was not already at the optimum: " + farthest);
        }
    }

    @Test
    void aWarmStartedFitOnALargeLogConvergesInsteadOfHalvingForRoundingError() {
        // On 200,000 rounds the objective is exact to about 1e-11 of itself; a fit that took a rise of that size
        // for an overshoot halved its last step back and forth and stopped, at the most passes, 1e-7 away.
        List<LoggedRound> large = RewardModelsTest.page(200_000, 80, 0.005, false, 11);
        LogisticRewardModel.Design design = new LogisticRewardModel.Design(large);
        LogisticRewardModel.Penalty penalty = new LogisticRewardModel.Penalty(10, 1000);
        int[] all = Evaluator.everyRound(large.size());
        int[] sample = new int[RewardModels.MOST_VALIDATION_ROUNDS];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = i * (large.size() / sample.length);
        }
        try (Workers workers = new Workers(2)) {
            LogisticRewardModel start = LogisticRewardModel.fit(design, sample, penalty);
            LogisticRewardModel cold = LogisticRewardModel.fit(design, all, penalty);
            LogisticRewardModel warm = LogisticRewardModel.fitAll(new LogisticRewardModel.Shared[] {
                    LogisticRewardModel.Shared.fit(design, all, start)}, penalty,
                    new LogisticRewardModel[] {start}, workers)[0];
            assertArrayEquals(cold.coefficients(), warm.coefficients(), 1e-9);
        }
    }
}
