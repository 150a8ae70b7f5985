package io.vitrine.benchmarks;

import io.vitrine.core.encoder.DefaultEncoder;
import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The inputs of one decision as the selector sees them: the default encoder with 8 context and 8 candidate
 * features and d = 32 ({@code DefaultEncoder.random(8, 8, 32, 1)}), K = 20 candidates, and a posterior learnt
 * from a few thousand rewards, so that Lambda is far from the prior's lambda I and the scores disagree.
 * <p>
 * The requests' features are standard normal, or uniform in [0, 1) as many real features are (rates, one-hot
 * fields, normalised values) and as the HTTP load test sends them. With uniform features the 20 embeddings of a
 * request are linearly dependent (rank 14 to 17: the context is shared and some hidden units are off for every
 * candidate), which decides how the propensity draws are made (see {@code ScoreFactor}).
 */
final class Workload {

    static final int CONTEXT_FEATURES = 8;
    static final int CANDIDATE_FEATURES = 8;
    static final int DIMENSION = 32;
    static final int CANDIDATES = 20;
    static final int UPDATES = 3000;
    /** Distinct requests cycled through, so that the benchmark does not replay one input. */
    static final int REQUESTS = 64;

    final OnnxEncoder encoder;
    final SufficientStatistics statistics;
    final NormalInverseGammaPosterior posterior;
    final float[][] contexts;
    final float[][][] candidates;
    /** Embeddings of each request, for the benchmarks that leave the encoder out. */
    final float[][][] embeddings;

    Workload(long seed) {
        this(seed, false);
    }

    /** @param uniformFeatures the requests' features uniform in [0, 1) instead of standard normal */
    Workload(long seed, boolean uniformFeatures) {
        encoder = OnnxEncoder.load(DefaultEncoder.random(CONTEXT_FEATURES, CANDIDATE_FEATURES, DIMENSION, 1).toOnnx());
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);

        // Hidden click model: logistic in the embedding, mean click rate around 10%.
        double[] theta = new double[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            theta[i] = 0.4 * gauss.sample();
        }
        statistics = SufficientStatistics.empty(DIMENSION);
        for (int t = 0; t < UPDATES; t++) {
            float[][] z = encoder.encode(gaussianRow(gauss, CONTEXT_FEATURES),
                    new float[][]{gaussianRow(gauss, CANDIDATE_FEATURES)});
            double logit = -2.2;
            for (int i = 0; i < DIMENSION; i++) {
                logit += theta[i] * z[0][i];
            }
            double p = 1 / (1 + Math.exp(-logit));
            statistics.update(z[0], rng.nextDouble() < p ? 1 : 0);
        }
        posterior = NormalInverseGammaPosterior.fromStatistics(statistics, NigPrior.DEFAULT);

        contexts = new float[REQUESTS][];
        candidates = new float[REQUESTS][CANDIDATES][];
        embeddings = new float[REQUESTS][][];
        for (int r = 0; r < REQUESTS; r++) {
            contexts[r] = uniformFeatures ? uniformRow(rng, CONTEXT_FEATURES) : gaussianRow(gauss, CONTEXT_FEATURES);
            for (int a = 0; a < CANDIDATES; a++) {
                candidates[r][a] = uniformFeatures ? uniformRow(rng, CANDIDATE_FEATURES)
                        : gaussianRow(gauss, CANDIDATE_FEATURES);
            }
            embeddings[r] = encoder.encode(contexts[r], candidates[r]);
        }
    }

    private static float[] uniformRow(UniformRandomProvider rng, int n) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = (float) rng.nextDouble();
        }
        return row;
    }

    private static float[] gaussianRow(ZigguratSampler.NormalizedGaussian gauss, int n) {
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = (float) gauss.sample();
        }
        return row;
    }
}
