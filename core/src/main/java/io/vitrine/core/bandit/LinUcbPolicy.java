package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * LinUCB (Li, Chu, Langford and Schapire, "A Contextual-Bandit Approach to Personalized News Article
 * Recommendation", WWW 2010, Algorithm 1): a ridge regression per model,
 * <pre>
 *   A = I + sum x x^T,   b = sum r x,   theta = A^-1 b
 *   score(x) = theta . x + alpha sqrt(x^T A^-1 x)
 * </pre>
 * and the arm with the highest upper confidence score is played (ties at random). PER_ARM is the paper's
 * disjoint model over {@code concat(context, 1)}; SHARED is one model over {@code concat(context, arm features, 1)}
 * (the paper's hybrid model keeps per-arm terms too; this is its shared part only).
 * <p>
 * A and b are the {@link io.vitrine.core.posterior.SufficientStatistics} of the Bayesian model with lambda = 1, so
 * theta is the posterior mean mu and {@code x^T A^-1 x = |L^-1 x|^2} comes from
 * {@link NormalInverseGammaPosterior#whiten}: the same Cholesky code as the Thompson samplers.
 */
public final class LinUcbPolicy implements Policy {

    /** lambda = 1 gives A = I + sum x x^T; a0 and b0 play no part in the mean and the whitening. */
    private static final NigPrior RIDGE = new NigPrior(1, 1, 1);

    private final double alpha;
    private final LinearModels models;
    private final UniformRandomProvider rng;

    /** @param alpha width of the confidence bonus, &gt;= 0 (Li et al. use 1 + sqrt(ln(2 / delta) / 2)) */
    public LinUcbPolicy(double alpha, FeatureMode mode, long seed) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
        }
        this.alpha = alpha;
        this.models = new LinearModels(mode, RIDGE);
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    @Override
    public String name() {
        return "LinUCB(" + alpha + ", " + models.mode() + ")";
    }

    @Override
    public int choose(Round round) {
        int K = round.arms().size();
        double[] scores = new double[K];
        for (int a = 0; a < K; a++) {
            float[] x = models.features(round, a);
            NormalInverseGammaPosterior p = models.model(round, a).posterior();
            double[] w = new double[x.length];
            p.whiten(x, w);
            double xAx = 0;
            for (double wi : w) {
                xAx += wi * wi;
            }
            scores[a] = p.meanScore(x) + alpha * Math.sqrt(xAx);
        }
        return Choices.argmax(scores, rng);
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        Choices.requireChosen(round, chosen);
        Choices.requireFinite(reward);
        float[] x = models.features(round, chosen); // first: it fixes the dimension on the first round
        models.model(round, chosen).update(x, reward);
    }
}
