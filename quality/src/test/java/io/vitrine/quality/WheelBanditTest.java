package io.vitrine.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WheelBanditTest {

    @Test
    void contextsLieInTheUnitDiscAndCoverIt() {
        WheelBandit wheel = new WheelBandit(0.5, 1);
        int[] quadrants = new int[4];
        for (int i = 0; i < 20_000; i++) {
            float[] x = wheel.next().round().context();
            assertEquals(2, x.length);
            assertTrue(Math.hypot(x[0], x[1]) <= 1 + 1e-6, "context outside the disc");
            quadrants[WheelBandit.quadrantAction(x[0], x[1])]++;
        }
        for (int count : quadrants) {
            assertEquals(5_000, count, 300, "contexts are not uniform over the quadrants");
        }
    }

    @Test
    void quadrantsMapToActionsAsInTheReference() {
        assertEquals(0, WheelBandit.quadrantAction(0.5, 0.5));
        assertEquals(1, WheelBandit.quadrantAction(0.5, -0.5));
        assertEquals(2, WheelBandit.quadrantAction(-0.5, 0.5));
        assertEquals(3, WheelBandit.quadrantAction(-0.5, -0.5));
    }

    @Test
    void expectedRewardsDependOnTheRegion() {
        assertArrayEquals(new double[] {1, 1, 1, 1, 1.2}, WheelBandit.expectedRewards(0.9, 0.3, 0.3), 0);
        assertArrayEquals(new double[] {50, 1, 1, 1, 1.2}, WheelBandit.expectedRewards(0.9, 0.7, 0.7), 0);
        assertArrayEquals(new double[] {1, 50, 1, 1, 1.2}, WheelBandit.expectedRewards(0.9, 0.7, -0.7), 0);
        assertArrayEquals(new double[] {1, 1, 50, 1, 1.2}, WheelBandit.expectedRewards(0.9, -0.7, 0.7), 0);
        assertArrayEquals(new double[] {1, 1, 1, 50, 1.2}, WheelBandit.expectedRewards(0.9, -0.7, -0.7), 0);
    }

    @Test
    void rewardsFollowTheSpecAndTheOptimalActionIsRight() {
        double delta = 0.7;
        WheelBandit wheel = new WheelBandit(delta, 7);
        double[] innerSum = new double[5];
        double[] innerSquares = new double[5];
        int inner = 0;
        double largeSum = 0;
        double largeSquares = 0;
        int outer = 0;
        for (int i = 0; i < 20_000; i++) {
            Step step = wheel.next();
            float[] x = step.round().context();
            double norm = Math.hypot(x[0], x[1]);
            assertEquals(5, step.round().arms().size());
            if (norm < delta) {
                assertEquals(4, step.bestArm());
                assertEquals(1.2, step.optimal(), 0);
                inner++;
                for (int a = 0; a < 5; a++) {
                    innerSum[a] += step.rewards()[a];
                    innerSquares[a] += step.rewards()[a] * step.rewards()[a];
                }
            } else {
                int quadrant = WheelBandit.quadrantAction(x[0], x[1]);
                assertEquals(quadrant, step.bestArm());
                assertEquals(50, step.optimal(), 0);
                outer++;
                largeSum += step.rewards()[quadrant];
                largeSquares += step.rewards()[quadrant] * step.rewards()[quadrant];
            }
        }
        for (int a = 0; a < 5; a++) {
            double mean = innerSum[a] / inner;
            double std = Math.sqrt(innerSquares[a] / inner - mean * mean);
            assertEquals(WheelBandit.MEANS[a], mean, 0.003);
            assertEquals(0.05, std, 0.003);
        }
        double mean = largeSum / outer;
        assertEquals(50, mean, 0.002);
        assertEquals(0.01, Math.sqrt(Math.max(0, largeSquares / outer - mean * mean)), 0.003);
        // Area outside radius delta of the unit disc: 1 - delta^2.
        assertEquals(1 - delta * delta, (double) outer / (inner + outer), 0.02);
    }

    @Test
    void armsAreOneHot() {
        Step step = new WheelBandit(0.5, 3).next();
        for (int a = 0; a < 5; a++) {
            float[] features = step.round().arms().get(a).features();
            for (int j = 0; j < 5; j++) {
                assertEquals(a == j ? 1f : 0f, features[j]);
            }
        }
    }
}
