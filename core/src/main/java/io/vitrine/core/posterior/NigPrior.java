package io.vitrine.core.posterior;

/**
 * Normal-Inverse-Gamma prior of the linear reward model {@code r = z . beta + noise}:
 * <pre>
 *   s2          ~ InvGamma(a0, b0)
 *   beta | s2   ~ N(0, s2 / lambda * I)
 * </pre>
 *
 * @param lambda precision of the prior on beta relative to the noise (ridge strength), &gt; 0
 * @param a0     shape of the inverse-gamma prior on the noise variance s2, &gt; 0
 * @param b0     scale of the inverse-gamma prior on the noise variance s2, &gt; 0
 */
public record NigPrior(double lambda, double a0, double b0) {

    /**
     * lambda = 1, a0 = 2, b0 = 0.25: the prior mean of the noise variance, b0 / (a0 - 1) = 0.25, is the
     * largest variance a 0/1 reward can have (a click probability of 1/2).
     */
    public static final NigPrior DEFAULT = new NigPrior(1.0, 2.0, 0.25);

    /**
     * lambda = 0.25, a0 = b0 = 6: the NeuralLinear and LinFullPost settings of Riquelme, Tucker and Snoek,
     * "Deep Bayesian Bandits Showdown" (ICLR 2018), used for the wheel bandit.
     */
    public static final NigPrior WHEEL_PAPER = new NigPrior(0.25, 6, 6);

    public NigPrior {
        requirePositive("lambda", lambda);
        requirePositive("a0", a0);
        requirePositive("b0", b0);
    }

    private static void requirePositive(String name, double value) {
        // The negated comparison also rejects NaN.
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(
                    "NIG prior parameter " + name + " must be a finite number > 0, got " + value);
        }
    }
}
