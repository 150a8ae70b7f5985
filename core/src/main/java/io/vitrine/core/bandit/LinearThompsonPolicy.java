package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Linear Thompson sampling with unknown noise variance on raw features: the Normal-Inverse-Gamma model of
 * {@link NormalInverseGammaPosterior} (prior lambda, a0, b0) fitted to x = {@code concat(context, 1)} per arm id
 * (PER_ARM) or to {@code concat(context, arm features, 1)} shared by all arms (SHARED). Each round draws
 * {@code s2 ~ InvGamma(a, b_n)}, {@code beta ~ N(mu, s2 Lambda^-1)} once per model and plays the arm with the
 * largest {@code x_a . beta} (ties at random). With PER_ARM, the prior of Riquelme et al. (2018) and two initial
 * pulls this is their LinFullPost, see {@link LinFullPost}.
 * <p>
 * Optionally each arm is first played {@code initialPulls} times round-robin, as the reference code does
 * ({@code initial_pulls}).
 */
public final class LinearThompsonPolicy implements Policy {

    private final String name;
    private final LinearModels models;
    private final InitialPulls initialPulls;
    private final UniformRandomProvider rng;

    public LinearThompsonPolicy(NigPrior prior, FeatureMode mode, long seed) {
        this("LinearTS(" + mode + ")", prior, mode, 0, seed);
    }

    /** @param initialPulls times each arm is played round-robin before sampling starts, &gt;= 0 */
    public LinearThompsonPolicy(String name, NigPrior prior, FeatureMode mode, int initialPulls, long seed) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
        this.models = new LinearModels(mode, prior);
        this.initialPulls = new InitialPulls(initialPulls);
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int choose(Round round) {
        int K = round.arms().size();
        float[][] x = new float[K][];
        for (int a = 0; a < K; a++) {
            x[a] = models.features(round, a);
        }
        int roundRobin = initialPulls.next(round.arms());
        if (roundRobin >= 0) {
            return roundRobin;
        }
        // One draw of beta per model and round: with SHARED all arms are scored with the same draw.
        Map<LinearModel, double[]> draws = new IdentityHashMap<>();
        double[] scores = new double[K];
        for (int a = 0; a < K; a++) {
            LinearModel model = models.model(round, a);
            double[] beta = draws.computeIfAbsent(model, m -> {
                NormalInverseGammaPosterior p = m.posterior();
                double[] b = new double[p.dimension()];
                p.sampleBeta(rng, b);
                return b;
            });
            double s = 0;
            for (int i = 0; i < beta.length; i++) {
                s += x[a][i] * beta[i];
            }
            scores[a] = s;
        }
        return Choices.argmax(scores, rng);
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        Choices.requireChosen(round, chosen);
        Choices.requireFinite(reward);
        initialPulls.played(round.arms().get(chosen));
        float[] x = models.features(round, chosen); // first: it fixes the dimension on the first round
        models.model(round, chosen).update(x, reward);
    }
}
