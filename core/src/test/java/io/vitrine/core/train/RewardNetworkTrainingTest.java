package io.vitrine.core.train;

import io.vitrine.core.posterior.Forgetting;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RewardNetworkTrainingTest {

    private static final int CONTEXT = 4;
    private static final int CANDIDATE = 3;

    /**
     * Clicks when the visitor's first trait and the candidate's first trait agree in sign: an interaction no linear
     * model of the raw features expresses, so only the hidden layer can beat the constant rate.
     */
    private static RewardRows clicks(int n, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        RewardRows rows = new RewardRows(CONTEXT, CANDIDATE);
        for (int i = 0; i < n; i++) {
            float[] context = uniform(rng, CONTEXT);
            float[] candidate = uniform(rng, CANDIDATE);
            double p = context[0] * candidate[0] > 0 ? 0.8 : 0.1;
            rows.add(context, candidate, rng.nextDouble() < p ? 1 : 0);
        }
        return rows;
    }

    @Test
    void learnsAnInteractionThatBeatsTheConstantOnTheNewestRows() {
        RewardRows rows = clicks(4000, 7);
        TrainingRecipe recipe = TrainingRecipe.defaults().withSchedule(1000, 256);

        RewardNetworkTraining.Result result = RewardNetworkTraining.train(rows, null, recipe);

        HeldOutReport report = result.report();
        assertEquals(4000, report.rows());
        assertEquals(400, report.heldOutRows());
        assertEquals(3600, report.trainRows());
        assertEquals(1000, report.steps());
        assertFalse(report.warmStarted());
        assertTrue(report.heldOutLoss() < 0.8 * report.baselineLoss(), report.toString());
        assertTrue(report.heldOutAuc() > 0.75, report.toString());
        assertTrue(report.beatsConstant());
        // The constant is the training rows' mean: the 3,600 oldest.
        double mean = 0;
        for (int i = 0; i < 3600; i++) {
            mean += rows.reward(i);
        }
        assertEquals(mean / 3600, report.meanReward(), 1e-12);
        Mlp network = result.network();
        assertEquals(1 + CONTEXT + CANDIDATE + 64, network.embeddingDimension());
        assertEquals(1, network.heads());
    }

    @Test
    void theSameRowsRecipeAndSeedGiveTheSameNetwork() {
        RewardRows rows = clicks(500, 3);
        TrainingRecipe recipe = TrainingRecipe.defaults().withSchedule(20, 64);

        double[] first = RewardNetworkTraining.train(rows, null, recipe).network().parameters();
        double[] again = RewardNetworkTraining.train(rows, null, recipe).network().parameters();
        double[] otherSeed = RewardNetworkTraining.train(rows, null, recipe.withSeed(2)).network().parameters();

        assertArrayEquals(first, again);
        assertFalse(java.util.Arrays.equals(first, otherSeed));
    }

    @Test
    void aWarmStartContinuesFromTheServingNetworkWithoutChangingIt() {
        RewardRows rows = clicks(2000, 11);
        TrainingRecipe recipe = TrainingRecipe.defaults().withSchedule(400, 256);
        Mlp serving = RewardNetworkTraining.train(rows, null, recipe).network();
        double[] before = serving.parameters();
        TrainingRecipe short_ = recipe.withSchedule(1, 16).withOptimiser(1e-6, 0, 5).withSeed(9);

        RewardNetworkTraining.Result warm = RewardNetworkTraining.train(rows, serving, short_);
        RewardNetworkTraining.Result cold = RewardNetworkTraining.train(rows, serving,
                short_.withData(false, 0, Forgetting.NONE));

        assertArrayEquals(before, serving.parameters(), "the serving network must not change");
        assertTrue(warm.report().warmStarted());
        assertFalse(cold.report().warmStarted());
        // One tiny step from the served weights keeps what they learned; fresh weights have learned nothing.
        assertTrue(distance(warm.network().parameters(), before) < 1e-4);
        assertTrue(warm.report().heldOutAuc() > 0.75, warm.report().toString());
        assertTrue(cold.report().heldOutAuc() < 0.7, cold.report().toString());
    }

    @Test
    void aServingNetworkOfAnotherFormIsNotWarmStartedFrom() {
        RewardRows rows = clicks(300, 5);
        Mlp otherWidth = Mlp.initialize(CONTEXT + CANDIDATE, new int[]{8}, 1, true, 0, 1);
        Mlp otherInputs = Mlp.initialize(CONTEXT, new int[]{64}, 1, true, 0, 1);
        TrainingRecipe recipe = TrainingRecipe.defaults().withSchedule(5, 32);

        assertFalse(RewardNetworkTraining.train(rows, otherWidth, recipe).report().warmStarted());
        assertFalse(RewardNetworkTraining.train(rows, otherInputs, recipe).report().warmStarted());
        assertEquals(64, RewardNetworkTraining.train(rows, otherWidth, recipe).network().hiddenLayers()[0]);
    }

    @Test
    void aWindowTrainsOnTheNewestRowsBeforeTheHeldOutOnes() {
        // The reward flips half-way: a network trained on the newest rows only fits the new regime.
        RewardRows rows = new RewardRows(1, 0);
        for (int i = 0; i < 2000; i++) {
            rows.add(new float[]{1}, null, i < 1000 ? 0 : 1);
        }
        TrainingRecipe recipe = TrainingRecipe.defaults().withSchedule(200, 64).withData(false, 500, Forgetting.NONE);

        RewardNetworkTraining.Result result = RewardNetworkTraining.train(rows, null, recipe);

        assertEquals(500, result.report().trainRows());
        assertEquals(1.0, result.report().meanReward());
        assertTrue(result.network().predict(new float[]{1})[0] > 2, "log-odds of a click");
    }

    @Test
    void realValuedRewardsTrainWithSquaredErrorAndHaveNoRankingAccuracy() {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(4);
        RewardRows rows = new RewardRows(2, 0);
        for (int i = 0; i < 3000; i++) {
            float[] x = uniform(rng, 2);
            rows.add(x, null, 3 * Math.abs(x[0]) + 0.1 * rng.nextDouble());
        }
        TrainingRecipe recipe = TrainingRecipe.defaults().withNetwork(new int[]{32}, true, MlpTrainer.Loss.SQUARED, 0)
                .withSchedule(800, 128).withOptimiser(0.01, 1e-3, 5);

        HeldOutReport report = RewardNetworkTraining.train(rows, null, recipe).report();

        assertTrue(report.heldOutLoss() < 0.3 * report.baselineLoss(), report.toString());
        assertTrue(Double.isNaN(report.heldOutAuc()));
    }

    @Test
    void theLogisticLossRefusesARewardOutsideZeroOneNamingTheRow() {
        RewardRows rows = clicks(30, 1);
        rows.add(new float[CONTEXT], new float[CANDIDATE], 2.5);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardNetworkTraining.train(rows, null, TrainingRecipe.defaults()));
        assertTrue(e.getMessage().contains("row 30 has reward 2.5"), e.getMessage());
    }

    @Test
    void tooFewRowsToTrainAfterTheHeldOutOnesFail() {
        RewardRows rows = clicks(1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardNetworkTraining.train(rows, null, TrainingRecipe.defaults()));
        assertTrue(e.getMessage().contains("only 1 rewards"), e.getMessage());
        // Without a held-out share one row trains, and the report has no held-out numbers.
        HeldOutReport report = RewardNetworkTraining.train(rows, null,
                TrainingRecipe.defaults().withHeldOutFraction(0).withSchedule(2, 4)).report();
        assertEquals(0, report.heldOutRows());
        assertTrue(Double.isNaN(report.heldOutLoss()));
    }

    @Test
    void aBadRowIsRefusedNamingItAndTheLogKeepsTheRowsBefore() {
        RewardRows rows = clicks(3, 2);
        IllegalArgumentException widths = assertThrows(IllegalArgumentException.class,
                () -> rows.add(new float[CONTEXT + 1], new float[CANDIDATE], 1));
        assertTrue(widths.getMessage().contains("row 3 has 5 context and 3 candidate features, the log has 4 and 3"),
                widths.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> rows.add(new float[CONTEXT], new float[]{0, Float.NaN, 0}, 1));
        assertTrue(nan.getMessage().contains("row 3 has a feature that is not finite: candidate 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> rows.add(new float[CONTEXT], new float[CANDIDATE], Double.POSITIVE_INFINITY));
        assertEquals(3, rows.size());
        assertNotEquals(null, rows.input(2));
    }

    @Test
    void theRankingAccuracyCountsTiesAsHalf() {
        assertEquals(1.0, RewardNetworkTraining.auc(new double[]{0.1, 0.2, 0.9}, new double[]{0, 0, 1}));
        assertEquals(0.5, RewardNetworkTraining.auc(new double[]{0.3, 0.3, 0.3, 0.3}, new double[]{0, 1, 0, 1}));
        assertEquals(0.0, RewardNetworkTraining.auc(new double[]{0.9, 0.1}, new double[]{0, 1}));
        assertTrue(Double.isNaN(RewardNetworkTraining.auc(new double[]{0.1, 0.2}, new double[]{1, 1})));
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    private static float[] uniform(UniformRandomProvider rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (2 * rng.nextDouble() - 1);
        }
        return x;
    }
}
