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
 * from a few thousand rewards, so that Lambda is far from the prior's lambda I and the scores disagree. The
 * growth benchmarks vary K and d: {@code DefaultEncoder.random(f, f, d, 1)} with f = min(8, d / 4) features a
 * side, since the encoder's embedding holds its F = 2 f inputs and at least one hidden unit (d = 16: 4 + 4 features
 * and 8 hidden units, half of z hidden as at d = 32).
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
        this(seed, uniformFeatures, CANDIDATES, DIMENSION);
    }

    /**
     * @param uniformFeatures the requests' features uniform in [0, 1) instead of standard normal
     * @param candidateCount  K, the candidates of each request
     * @param dimension       d, the encoder's embedding size
     */
    Workload(long seed, boolean uniformFeatures, int candidateCount, int dimension) {
        int contextFeatures = Math.min(CONTEXT_FEATURES, dimension / 4);
        int candidateFeatures = Math.min(CANDIDATE_FEATURES, dimension / 4);
        encoder = OnnxEncoder.load(DefaultEncoder.random(contextFeatures, candidateFeatures, dimension, 1).toOnnx());
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ZigguratSampler.NormalizedGaussian gauss = ZigguratSampler.NormalizedGaussian.of(rng);

        // Hidden click model: logistic in the embedding, mean click rate around 10%.
        double[] theta = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            theta[i] = 0.4 * gauss.sample();
        }
        statistics = SufficientStatistics.empty(dimension);
        for (int t = 0; t < UPDATES; t++) {
            float[][] z = encoder.encode(gaussianRow(gauss, contextFeatures),
                    new float[][]{gaussianRow(gauss, candidateFeatures)});
            double logit = -2.2;
            for (int i = 0; i < dimension; i++) {
                logit += theta[i] * z[0][i];
            }
            double p = 1 / (1 + Math.exp(-logit));
            statistics.update(z[0], rng.nextDouble() < p ? 1 : 0);
        }
        posterior = NormalInverseGammaPosterior.fromStatistics(statistics, NigPrior.DEFAULT);

        contexts = new float[REQUESTS][];
        candidates = new float[REQUESTS][candidateCount][];
        embeddings = new float[REQUESTS][][];
        for (int r = 0; r < REQUESTS; r++) {
            contexts[r] = uniformFeatures ? uniformRow(rng, contextFeatures) : gaussianRow(gauss, contextFeatures);
            for (int a = 0; a < candidateCount; a++) {
                candidates[r][a] = uniformFeatures ? uniformRow(rng, candidateFeatures)
                        : gaussianRow(gauss, candidateFeatures);
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
