package io.vitrine.core.policy;

import static io.vitrine.core.policy.ThompsonSamplerTest.posteriorFromData;
import static io.vitrine.core.policy.ThompsonSamplerTest.randomEmbeddings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UniformExplorationTest {

    private final NormalInverseGammaPosterior posterior = posteriorFromData(8, 400, 21);
    private final float[][] z = randomEmbeddings(5, 8, 22);

    @Test
    void exploresTheGivenShareOfDecisionsWithDistinctCandidates() {
        UniformExploration exploration = new UniformExploration(0.3);
        int explored = 0;
        for (long seed = 0; seed < 20_000; seed++) {
            int[] shown = exploration.explored(5, 2, seed);
            if (shown != null) {
                explored++;
                assertEquals(2, shown.length);
                assertTrue(shown[0] != shown[1] && shown[0] >= 0 && shown[1] < 5, Arrays.toString(shown));
            }
        }
        assertEquals(0.3, explored / 20_000.0, 0.015);
        assertEquals(null, exploration.explored(5, 5, 1), "showing every candidate is not exploring");
        assertEquals(null, UniformExploration.NONE.explored(5, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new UniformExploration(1));
        assertThrows(IllegalArgumentException.class, () -> new UniformExploration(-0.1));
    }

    @Test
    void loggedPropensitiesMatchHowOftenEachCandidateIsShown() {
        // One posterior and one candidate set, many decisions: a candidate's share of the decisions must equal
        // the propensity logged for it (an estimate, so compare the mean of the logged values).
        ThompsonSampler sampler = new ThompsonSampler(2_000, new UniformExploration(0.2));
        int decisions = 4_000;
        int[] shown = new int[z.length];
        double[] loggedSum = new double[z.length];
        int[] loggedCount = new int[z.length];
        double smallest = 1;
        for (long seed = 0; seed < decisions; seed++) {
            Choice choice = sampler.choose(posterior, z, 1, seed);
            int a = choice.best();
            shown[a]++;
            loggedSum[a] += choice.propensities()[0];
            loggedCount[a]++;
            smallest = Math.min(smallest, choice.propensities()[0]);
        }
        assertTrue(smallest >= 0.2 / z.length, "the exploration floor holds: " + smallest);
        for (int a = 0; a < z.length; a++) {
            double frequency = shown[a] / (double) decisions;
            assertTrue(frequency > 0.03, "every candidate is shown, candidate " + a + ": " + frequency);
            assertEquals(frequency, loggedSum[a] / loggedCount[a], 0.025, "candidate " + a);
        }
    }

    @Test
    void theSeedReproducesAnExploringDecisionAndItsPropensities() {
        ThompsonSampler sampler = new ThompsonSampler(300, new UniformExploration(0.5));
        ThompsonSampler thompsonOnly = new ThompsonSampler(300);
        int differing = 0;
        for (long seed = 0; seed < 200; seed++) {
            Choice choice = sampler.choose(posterior, z, 2, seed);
            assertEquals(choice, sampler.choose(posterior, z, 2, seed));
            assertEquals(choice, sampler.explain(posterior, z, 2, seed).choice());
            assertArrayEquals(choice.propensities(), sampler.propensities(posterior, z, choice.chosen(), seed));
            assertArrayEquals(choice.chosen(), sampler.chooseIndices(posterior, z, 2, seed));
            assertTrue(choice.sampledScores()[0] >= choice.sampledScores()[1], "ranked by sampled score");
            if (!Arrays.equals(choice.chosen(), thompsonOnly.choose(posterior, z, 2, seed).chosen())) {
                differing++;
            }
        }
        assertTrue(differing > 20, "exploring decisions differ from Thompson's: " + differing);
    }

    @Test
    void perCandidatePosteriorsExploreTheSameWay() {
        NormalInverseGammaPosterior[] posteriors = new NormalInverseGammaPosterior[z.length];
        for (int a = 0; a < z.length; a++) {
            posteriors[a] = posteriorFromData(8, 100 + 50 * a, 30 + a);
        }
        PerCandidateThompsonSampler sampler = new PerCandidateThompsonSampler(2_000, new UniformExploration(0.2));
        int decisions = 3_000;
        int[] shown = new int[z.length];
        double[] loggedSum = new double[z.length];
        for (long seed = 0; seed < decisions; seed++) {
            Choice choice = sampler.choose(posteriors, z, 1, seed);
            shown[choice.best()]++;
            loggedSum[choice.best()] += choice.propensities()[0];
            assertTrue(choice.propensities()[0] >= 0.2 / z.length);
        }
        for (int a = 0; a < z.length; a++) {
            if (shown[a] > 0) {
                assertEquals(shown[a] / (double) decisions, loggedSum[a] / shown[a], 0.025, "candidate " + a);
            }
        }
    }
}
