package io.vitrine.quality;

import io.vitrine.core.bandit.Arm;
import io.vitrine.core.bandit.Round;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The wheel bandit of Riquelme, Tucker and Snoek, "Deep Bayesian Bandits Showdown" (ICLR 2018), as
 * in the reference code: tensorflow/models, {@code research/deep_contextual_bandits/bandits/data/
 * synthetic_data_sampler.py} ({@code sample_wheel_bandit_data}), with the parameters of
 * {@code example_main.py} ({@code mean_v = [1.0, 1.0, 1.0, 1.0, 1.2]}, {@code std_v = 0.05},
 * {@code mu_large = 50}, {@code std_large = 0.01}, 2000 contexts).
 *
 * <p>The context is uniform in the unit disc (rejection sampling from the square). Every action
 * {@code j} pays {@code N(mean_v[j], std_v[j]^2)}, except that when {@code ||x|| >= delta} the
 * action of x's quadrant pays {@code N(mu_large, std_large^2)}: x1 &gt; 0 and x2 &gt; 0 gives action 0,
 * x1 &gt; 0 and x2 &lt;= 0 action 1, x1 &lt;= 0 and x2 &gt; 0 action 2, otherwise action 3. Inside the
 * disc of radius delta the best action is 4 (mean 1.2), outside it the quadrant's action.
 *
 * <p>The arms carry one-hot features, so that policies over shared arm features can play too.
 */
public final class WheelBandit implements Environment {

    /** {@code mean_v} of the reference's example. */
    public static final double[] MEANS = {1.0, 1.0, 1.0, 1.0, 1.2};
    /** {@code std_v} of the reference's example. */
    public static final double[] STDS = {0.05, 0.05, 0.05, 0.05, 0.05};
    public static final double MU_LARGE = 50;
    public static final double STD_LARGE = 0.01;
    /** {@code num_contexts} of the reference's example. */
    public static final int REFERENCE_ROUNDS = 2000;
    public static final int ACTIONS = 5;

    private final double delta;
    private final SplittableRandom random;
    private final List<Arm> arms;
    private Step current;

    public WheelBandit(double delta, long seed) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        this.delta = delta;
        this.random = new SplittableRandom(seed);
        List<Arm> list = new ArrayList<>();
        for (int a = 0; a < ACTIONS; a++) {
            float[] oneHot = new float[ACTIONS];
            oneHot[a] = 1;
            list.add(new Arm("action-" + a, oneHot));
        }
        this.arms = List.copyOf(list);
    }

    /** The family of wheels with this delta. */
    public static EnvironmentSpec spec(double delta) {
        return new Spec(delta);
    }

    @Override
    public Step next() {
        double x;
        double y;
        do {
            x = random.nextDouble(-1, 1);
            y = random.nextDouble(-1, 1);
        } while (Math.hypot(x, y) > 1);
        double[] expected = expectedRewards(delta, x, y);
        double[] rewards = new double[ACTIONS];
        for (int a = 0; a < ACTIONS; a++) {
            double std = expected[a] == MU_LARGE ? STD_LARGE : STDS[a];
            rewards[a] = expected[a] + std * random.nextGaussian();
        }
        current = new Step(new Round(new float[] {(float) x, (float) y}, arms), expected, rewards);
        return current;
    }

    @Override
    public Step current() {
        if (current == null) {
            throw new IllegalStateException("no round drawn yet");
        }
        return current;
    }

    /** Expected reward of every action at context (x, y). */
    static double[] expectedRewards(double delta, double x, double y) {
        double[] expected = MEANS.clone();
        if (Math.hypot(x, y) >= delta) {
            expected[quadrantAction(x, y)] = MU_LARGE;
        }
        return expected;
    }

    /** The reference's mapping of quadrants to actions. */
    static int quadrantAction(double x, double y) {
        if (x > 0) {
            return y > 0 ? 0 : 1;
        }
        return y > 0 ? 2 : 3;
    }

    private record Spec(double delta) implements EnvironmentSpec {
        @Override
        public String label() {
            return String.format(java.util.Locale.ROOT, "wheel δ=%.2f", delta);
        }

        @Override
        public Environment create(long seed) {
            return new WheelBandit(delta, seed);
        }
    }
}
