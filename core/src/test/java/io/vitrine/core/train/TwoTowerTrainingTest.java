package io.vitrine.core.train;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoTowerTrainingTest {

    private static final int CONTEXT = 3;
    private static final int CANDIDATE = 3;

    /**
     * Clicks of a planted two-tower model: logit {@code -1.5 + 1.5 sum_j tanh(2 x_c,j) x_a,j}, features standard
     * normal. Its context side saturates, which no bilinear score follows.
     */
    private static RewardRows planted(int n, long seed) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        RewardRows rows = new RewardRows(CONTEXT, CANDIDATE);
        for (int i = 0; i < n; i++) {
            float[] context = gaussians(rng, CONTEXT);
            float[] candidate = gaussians(rng, CANDIDATE);
            double logit = -1.5;
            for (int j = 0; j < CONTEXT; j++) {
                logit += 1.5 * Math.tanh(2 * context[j]) * candidate[j];
            }
            rows.add(context, candidate, rng.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
        }
        return rows;
    }

    private static float[] gaussians(UniformRandomProvider rng, int n) {
        float[] out = new float[n];
        for (int j = 0; j < n; j++) {
            out[j] = (float) (Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble()));
        }
        return out;
    }

    private static TwoTowerTraining.Settings settings(int maxIterations) {
        TwoTowerTraining.Settings d = TwoTowerTraining.Settings.defaults();
        return new TwoTowerTraining.Settings(8, 8, d.penalty(), d.heldOutFraction(), 0.01, maxIterations,
                d.checkEvery(), d.patience(), 7);
    }

    @Test
    void startsFromTheExactBilinearFit() {
        RewardRows rows = planted(3_000, 1);
        TwoTowerTraining.Result start = TwoTowerTraining.train(rows, settings(0));
        BilinearTraining.Result bilinear = BilinearTraining.train(rows, BilinearTraining.Settings.defaults());
        assertArrayEquals(bilinear.encoder().interaction(), start.encoder().interaction());
        RewardRows probe = planted(100, 2);
        for (int i = 0; i < probe.size(); i++) {
            assertEquals(bilinear.encoder().score(probe.input(i)), start.encoder().score(probe.input(i)), 1e-12,
                    "row " + i);
            assertArrayEquals(bilinear.encoder().embed(probe.input(i)), start.encoder().embed(probe.input(i)));
        }
        assertEquals(bilinear.report().heldOutLoss(), start.report().heldOutLoss(), 1e-12);
        assertEquals(0, start.report().steps());
    }

    @Test
    void recoversAPlantedTwoTowerModelBetterThanTheBilinearFit() {
        RewardRows rows = planted(20_000, 3);
        TwoTowerTraining.Result result = TwoTowerTraining.train(rows, settings(400));
        BilinearTraining.Result bilinear = BilinearTraining.train(rows, BilinearTraining.Settings.defaults());
        assertTrue(result.report().steps() > 0, "a step beat the start: " + result.report());
        assertEquals(bilinear.report().heldOutLoss(), result.bilinearHeldOutLoss(), 1e-12);
        assertTrue(result.report().heldOutLoss() < bilinear.report().heldOutLoss() - 0.005,
                result.report().heldOutLoss() + " against the bilinear fit's " + bilinear.report().heldOutLoss());
        assertTrue(result.report().heldOutAuc() > bilinear.report().heldOutAuc(),
                result.report().heldOutAuc() + " against " + bilinear.report().heldOutAuc());
        // On fresh rows too, and against the planted model's own score.
        RewardRows fresh = planted(5_000, 4);
        double twoTower = 0;
        double bilinearError = 0;
        for (int i = 0; i < fresh.size(); i++) {
            float[] x = fresh.input(i);
            double truth = 0;
            for (int j = 0; j < CONTEXT; j++) {
                truth += 1.5 * Math.tanh(2 * x[j]) * x[CONTEXT + j];
            }
            twoTower += Math.pow(result.encoder().score(x) - truth, 2);
            bilinearError += Math.pow(bilinear.encoder().score(x) - truth, 2);
        }
        assertTrue(twoTower < 0.8 * bilinearError, "squared error of the score " + twoTower + " against "
                + bilinearError);
    }

    @Test
    void theSameRowsAndSeedGiveTheSameEncoder() {
        RewardRows rows = planted(3_000, 5);
        TwoTowerEncoder a = TwoTowerTraining.train(rows, settings(60)).encoder();
        TwoTowerEncoder b = TwoTowerTraining.train(rows, settings(60)).encoder();
        assertArrayEquals(a.interaction(), b.interaction());
        assertArrayEquals(a.contextTower().weights(), b.contextTower().weights());
        assertArrayEquals(a.contextTower().outputs(), b.contextTower().outputs());
        assertArrayEquals(a.candidateTower().outputs(), b.candidateTower().outputs());
    }

    @Test
    void refusesWhatItCannotFit() {
        RewardRows real = new RewardRows(1, 1);
        real.add(new float[]{1}, new float[]{1}, 2.5);
        real.add(new float[]{1}, new float[]{1}, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TwoTowerTraining.train(real, TwoTowerTraining.Settings.defaults()));
        assertTrue(e.getMessage().contains("row 0 has reward 2.5"), e.getMessage());
        TwoTowerTraining.Settings d = TwoTowerTraining.Settings.defaults();
        e = assertThrows(IllegalArgumentException.class, () -> new TwoTowerTraining.Settings(-1, 16, 10, 0.1,
                0.005, 10, 5, 10, 1));
        assertTrue(e.getMessage().contains("hidden units"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TwoTowerTraining.Settings(16, 16, 10, 0,
                0.005, 10, 5, 10, 1));
        assertTrue(e.getMessage().contains("heldOutFraction"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TwoTowerEncoder(new double[4],
                new TwoTowerEncoder.Tower(2, 1, new double[2], new double[1], new double[2]),
                new TwoTowerEncoder.Tower(3, 0, new double[0], new double[0], new double[0])));
        assertTrue(e.getMessage().contains("Fc x Fa = 6"), e.getMessage());
        assertEquals(d, d.withSeed(d.seed()));
    }
}
