package io.vitrine.core.policy;

import static io.vitrine.core.policy.ThompsonSamplerTest.posteriorFromData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

class PerCandidateThompsonSamplerTest {

    private static final int M = 200_000;

    @Test
    void propensityAgainstACertainRivalIsTheStudentTTail() {
        int d = 3;
        NormalInverseGammaPosterior uncertain = posteriorFromData(d, 25, 3);
        // The rival is almost certain: Lambda = 1e12 I, so its score is its mean, c = z . mu = 0.2.
        double[] muRival = {0.2, 0, 0};
        double[] lRival = {1e6, 0, 0, 0, 1e6, 0, 0, 0, 1e6};
        NormalInverseGammaPosterior rival = NormalInverseGammaPosterior.of(d, muRival, lRival, 50, 1, 1);
        float[][] z = {{0.3f, -0.2f, 0.5f}, {1f, 0f, 0f}};

        double[] w = new double[d];
        uncertain.whiten(z[0], w);
        double spread = Math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
        double scale = Math.sqrt(uncertain.bn() / uncertain.a()) * spread;
        double exact = 1 - new TDistribution(2 * uncertain.a()).cumulativeProbability(
                (0.2 - uncertain.meanScore(z[0])) / scale);

        Choice choice = new PerCandidateThompsonSampler(M).choose(
                new NormalInverseGammaPosterior[] {uncertain, rival}, z, 1, 7);
        double p = choice.chosen()[0] == 0 ? choice.propensities()[0] : 1 - choice.propensities()[0];
        double bound = 5 * Math.sqrt(exact * (1 - exact) / M) + 2.0 / M;
        assertEquals(exact, p, bound);
    }

    @Test
    void identicalPosteriorsGiveEachCandidateOneInK() {
        NormalInverseGammaPosterior posterior = posteriorFromData(4, 30, 9);
        float[] z = {0.5f, 0.1f, -0.3f, 1f};
        int K = 4;
        NormalInverseGammaPosterior[] posteriors = new NormalInverseGammaPosterior[K];
        float[][] embeddings = new float[K][];
        for (int a = 0; a < K; a++) {
            posteriors[a] = posterior;
            embeddings[a] = z;
        }
        Choice choice = new PerCandidateThompsonSampler(M).choose(posteriors, embeddings, 1, 3);
        assertEquals(1.0 / K, choice.propensities()[0], 5 * Math.sqrt(0.25 * 0.75 / M) + 2.0 / M);
    }

    @Test
    void sameSeedSameChoiceAndSeedsVary() {
        NormalInverseGammaPosterior[] posteriors = {posteriorFromData(3, 5, 1), posteriorFromData(3, 5, 2),
            posteriorFromData(3, 5, 3)};
        float[][] z = {{1f, 0f, 0f}, {0f, 1f, 0f}, {0f, 0f, 1f}};
        PerCandidateThompsonSampler sampler = new PerCandidateThompsonSampler(10);
        assertEquals(sampler.choose(posteriors, z, 2, 42), sampler.choose(posteriors, z, 2, 42));
        boolean varied = false;
        Choice first = sampler.choose(posteriors, z, 1, 0);
        for (long seed = 1; seed < 50 && !varied; seed++) {
            varied = sampler.choose(posteriors, z, 1, seed).chosen()[0] != first.chosen()[0];
        }
        assertTrue(varied, "uncertain posteriors must not always pick the same candidate");
    }

    @Test
    void onePosteriorPerCandidateIsRequired() {
        NormalInverseGammaPosterior p = posteriorFromData(2, 3, 1);
        var sampler = new PerCandidateThompsonSampler(5);
        var error = assertThrows(IllegalArgumentException.class,
                () -> sampler.choose(new NormalInverseGammaPosterior[] {p}, new float[][] {{1f, 0f}, {0f, 1f}}, 1, 1));
        assertEquals("one posterior per candidate: 1 posteriors for 2 candidates", error.getMessage());
    }
}
