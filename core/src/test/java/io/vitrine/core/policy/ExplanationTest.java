package io.vitrine.core.policy;

import static io.vitrine.core.policy.ThompsonSamplerTest.posteriorFromData;
import static io.vitrine.core.policy.ThompsonSamplerTest.randomEmbeddings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import org.junit.jupiter.api.Test;

class ExplanationTest {

    private final NormalInverseGammaPosterior posterior = posteriorFromData(8, 60, 11);
    private final float[][] z = randomEmbeddings(6, 8, 12);

    @Test
    void explanationMakesTheSameDecisionAsChoose() {
        ThompsonSampler sampler = new ThompsonSampler(500);
        for (int k = 1; k <= 3; k++) {
            Choice choice = sampler.choose(posterior, z, k, 77);
            Explanation explanation = sampler.explain(posterior, z, k, 77);
            assertEquals(choice, explanation.choice());
            for (int j = 0; j < k; j++) {
                int a = choice.chosen()[j];
                assertEquals(choice.sampledScores()[j], explanation.sampledScores()[a]);
                assertEquals(choice.meanScores()[j], explanation.meanScores()[a]);
                assertEquals(choice.propensities()[j], explanation.propensities()[a]);
            }
        }
    }

    @Test
    void propensitiesOfAllCandidatesSumToK() {
        // Every draw puts exactly k candidates in the top k, so the estimates sum to k exactly.
        ThompsonSampler sampler = new ThompsonSampler(300);
        for (int k = 1; k <= 4; k++) {
            double sum = 0;
            for (double p : sampler.explain(posterior, z, k, 5).propensities()) {
                assertTrue(p >= 0 && p <= 1, "propensity " + p);
                sum += p;
            }
            assertEquals(k, sum, 1e-9);
        }
    }

    @Test
    void meanScoresAreEmbeddingsTimesMu() {
        Explanation explanation = new ThompsonSampler(10).explain(posterior, z, 2, 1);
        for (int a = 0; a < z.length; a++) {
            assertEquals(posterior.meanScore(z[a]), explanation.meanScores()[a], 1e-9);
        }
        assertEquals(2, explanation.choice().k());
    }
}
