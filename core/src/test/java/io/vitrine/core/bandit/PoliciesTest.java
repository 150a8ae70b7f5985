package io.vitrine.core.bandit;

import io.vitrine.core.posterior.NigPrior;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoliciesTest {

    private static final double[] RATES = {0.2, 0.5, 0.8};

    /** A small NeuralLinear so the tests stay fast: 16 units, retrain every 100 rewards for 30 steps of 64. */
    static NeuralLinearConfig smallNeuralLinear() {
        return NeuralLinearConfig.paper().withHiddenLayers(16).withTraining(100, 30, 64);
    }

    private static final List<LongFunction<Policy>> LEARNING = List.of(
            seed -> Policies.epsilonGreedy(0.1, seed),
            Policies::betaBernoulli,
            seed -> Policies.linUcb(1.0, FeatureMode.PER_ARM, seed),
            seed -> Policies.linUcb(1.0, FeatureMode.SHARED, seed),
            seed -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, seed),
            seed -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.SHARED, seed),
            Policies::linFullPost,
            seed -> Policies.neuralLinear(smallNeuralLinear(), seed),
            seed -> Policies.neuralLinear(smallNeuralLinear().withScope(NeuralLinearConfig.Scope.SHARED), seed));

    @Test
    void everyLearningPolicyFindsTheBestBernoulliArm() {
        for (LongFunction<Policy> factory : LEARNING) {
            for (long seed = 1; seed <= 3; seed++) {
                Policy policy = factory.apply(seed);
                Worlds.Run run = Worlds.run(policy, Worlds.bernoulli(RATES, 100 + seed), 1500);
                double rate = run.optimalRate(500);
                assertTrue(rate > 0.8, policy.name() + " seed " + seed + " played the best arm in only " + rate
                        + " of the last 500 rounds");
            }
        }
    }

    @Test
    void uniformPlaysEveryArmAboutEquallyAndLearnsNothing() {
        Worlds.Run run = Worlds.run(Policies.uniform(7), Worlds.bernoulli(RATES, 7), 3000);
        for (int a = 0; a < 3; a++) {
            assertEquals(1 / 3.0, run.share(a), 0.04, "share of arm " + a);
        }
    }

    @Test
    void linearPoliciesPerArmSolveALinearContextualProblem() {
        List<LongFunction<Policy>> linear = List.of(
                seed -> Policies.linUcb(0.5, FeatureMode.PER_ARM, seed),
                seed -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, seed),
                Policies::linFullPost);
        for (LongFunction<Policy> factory : linear) {
            Policy policy = factory.apply(3);
            Worlds.Run run = Worlds.run(policy, Worlds.linear(11), 1500);
            // Near the decision boundaries the arms' means are close, so a few mistakes there are expected.
            assertTrue(run.optimalRate(500) > 0.85, policy.name() + " optimal rate " + run.optimalRate(500));
        }
        // Context-free policies cannot: each arm is best a third of the time.
        Worlds.Run blind = Worlds.run(Policies.epsilonGreedy(0.1, 3), Worlds.linear(11), 1500);
        assertTrue(blind.optimalRate(500) < 0.6, "EpsilonGreedy optimal rate " + blind.optimalRate(500));
    }

    @Test
    void sameSeedGivesTheSameChoices() {
        for (LongFunction<Policy> factory : List.<LongFunction<Policy>>of(Policies::uniform,
                seed -> Policies.epsilonGreedy(0.2, seed), Policies::betaBernoulli,
                seed -> Policies.linUcb(1, FeatureMode.SHARED, seed),
                seed -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, seed), Policies::linFullPost,
                seed -> Policies.neuralLinear(smallNeuralLinear(), seed))) {
            // Bernoulli rewards, so that BetaBernoulli applies too; the world's own seed stays fixed.
            int[] first = Worlds.run(factory.apply(42), Worlds.bernoulli(RATES, 5), 400).choices();
            int[] second = Worlds.run(factory.apply(42), Worlds.bernoulli(RATES, 5), 400).choices();
            int[] other = Worlds.run(factory.apply(43), Worlds.bernoulli(RATES, 5), 400).choices();
            String name = factory.apply(0).name();
            assertArrayEquals(first, second, name);
            if (!name.startsWith("LinUCB")) { // LinUCB is deterministic but for tie-breaks
                assertFalse(java.util.Arrays.equals(first, other), name + " ignores its seed");
            }
        }
    }

    @Test
    void linFullPostPlaysEachArmTwiceRoundRobinFirst() {
        Worlds.Run run = Worlds.run(Policies.linFullPost(1), Worlds.bernoulli(RATES, 1), 6);
        assertArrayEquals(new int[]{0, 1, 2, 0, 1, 2}, run.choices());
        assertEquals("LinFullPost", Policies.linFullPost(1).name());
    }

    @Test
    void invalidArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Policies.epsilonGreedy(1.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Policies.linUcb(-1, FeatureMode.PER_ARM, 1));
        Round round = Worlds.bernoulli(RATES, 1).next();
        Policy beta = Policies.betaBernoulli(1);
        assertThrows(IllegalArgumentException.class, () -> beta.learn(round, 0, 2.0));
        assertThrows(IllegalArgumentException.class, () -> beta.learn(round, 3, 1.0));
        Policy lin = Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, 1);
        lin.learn(round, 0, 1.0);
        Round longer = new Round(new float[]{1f, 2f}, round.arms());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.choose(longer));
        assertTrue(e.getMessage().contains("features"), e.getMessage());
        Policy neural = Policies.neuralLinear(smallNeuralLinear(), 1);
        neural.choose(round);
        Round newArm = new Round(round.context(), List.of(new Arm("new", new float[3])));
        e = assertThrows(IllegalArgumentException.class, () -> neural.choose(newArm));
        assertTrue(e.getMessage().contains("SHARED"), e.getMessage());
    }
}
