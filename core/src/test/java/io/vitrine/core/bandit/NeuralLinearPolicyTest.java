package io.vitrine.core.bandit;

import io.vitrine.core.encoder.OnnxEncoder;
import io.vitrine.core.posterior.Forgetting;
import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpTrainer;
import io.vitrine.core.train.RewardNetworkTraining;
import io.vitrine.core.train.RewardRows;
import io.vitrine.core.train.TrainingRecipe;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeuralLinearPolicyTest {

    @Test
    void paperConfigIsTheReferenceHyperParameters() {
        NeuralLinearConfig c = NeuralLinearConfig.paper();
        assertEquals(NeuralLinearConfig.Scope.PER_ARM, c.scope());
        assertArrayEquals(new int[]{50}, c.hiddenLayers());
        assertEquals(NigPrior.WHEEL_PAPER, c.prior());
        assertEquals(50, c.trainEvery());
        assertEquals(100, c.trainSteps());
        assertEquals(512, c.batchSize());
        assertEquals(0.1, c.learningRate());
        assertEquals(0.5, c.lrDecayRate());
        assertEquals(5.0, c.maxGradNorm());
        assertEquals(2, c.initialPulls());
        assertEquals(Forgetting.NONE, c.forgetting());
        // z is the last hidden layer, squared error, init_scale 0.3, and the decay runs on across retrainings
        // as it did in the reference code (its reset_lr built a tensor the optimizer never read).
        assertFalse(c.wide());
        assertEquals(MlpTrainer.Loss.SQUARED, c.loss());
        assertEquals(0.3, c.initScale());
        assertFalse(c.resetLearningRate());
        NeuralLinearConfig vitrine = NeuralLinearConfig.vitrineDefault();
        assertEquals(NeuralLinearConfig.Scope.SHARED, vitrine.scope());
        assertTrue(vitrine.wide());
        assertEquals(MlpTrainer.Loss.LOGISTIC, vitrine.loss());
        assertFalse(vitrine.resetLearningRate());
        assertThrows(IllegalArgumentException.class, () -> c.withTraining(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> c.withHiddenLayers());
    }

    /**
     * On the quadrant problem (arm 0 pays 1 when x1 x2 &gt; 0, arm 1 when x1 x2 &lt; 0, arm 2 pays 0.6 always) a
     * linear model cannot tell the quadrants apart and settles for the safe arm, while NeuralLinear with the
     * paper's settings learns the rule.
     */
    @Test
    void neuralLinearBeatsLinFullPostOnANonLinearProblem() {
        int rounds = 1500;
        for (long seed = 1; seed <= 2; seed++) {
            Worlds.Run neural = Worlds.run(Policies.neuralLinear(NeuralLinearConfig.paper(), seed),
                    Worlds.quadrants(seed), rounds);
            Worlds.Run linear = Worlds.run(Policies.linFullPost(seed), Worlds.quadrants(seed), rounds);
            double neuralReward = neural.meanExpectedReward(500);
            double linearReward = linear.meanExpectedReward(500);
            // Measured: NeuralLinear about 0.97, LinFullPost about 0.74 (it exploits its own sampling bias a bit).
            assertTrue(neuralReward > 0.9, "NeuralLinear seed " + seed + " mean reward " + neuralReward);
            assertTrue(neuralReward > linearReward + 0.15, "NeuralLinear " + neuralReward + " vs LinFullPost "
                    + linearReward);
        }
    }

    @Test
    void sharedScopeLearnsTheQuadrantsThroughArmFeatures() {
        // Vitrine's setting, retrained more often than in production so that 1500 rounds suffice; squared error
        // because these rewards are Gaussian, not clicks.
        NeuralLinearConfig config = NeuralLinearConfig.vitrineDefault().withTraining(100, 100, 256)
                .withNetwork(true, MlpTrainer.Loss.SQUARED, 0);
        NeuralLinearPolicy policy = new NeuralLinearPolicy(config, 1);
        Worlds.Run run = Worlds.run(policy, Worlds.quadrants(1), 1500);
        assertTrue(run.meanExpectedReward(500) > 0.85, "mean reward " + run.meanExpectedReward(500));

        // Its trunk is an encoder over concat(context, arm features); z starts with 1 and the input.
        byte[] model = policy.exportEncoder("nl-test");
        Mlp mlp = policy.network();
        float[] row = {0.3f, -0.7f, 0f, 1f, 0f};
        try (OnnxEncoder encoder = OnnxEncoder.load(model)) {
            assertEquals(2, encoder.info().contextFeatures());
            assertEquals(3, encoder.info().candidateFeatures());
            float[] z = encoder.run(new float[][]{row})[0];
            double[] expected = mlp.embed(row);
            assertEquals(1 + row.length + config.hiddenLayers()[0], z.length);
            assertEquals(1f, z[0]);
            assertEquals(-0.7f, z[2]);
            for (int j = 0; j < z.length; j++) {
                assertEquals(expected[j], z[j], 1e-5);
            }
        }
    }

    @Test
    void perArmScopeRefusesArmsItHasNoHeadFor() {
        Policy policy = new NeuralLinearPolicy(NeuralLinearConfig.paper(), 1);
        Round first = new Round(new float[]{0.1f, 0.2f}, Worlds.arms(2, 0));
        policy.learn(first, 1, 0.5);
        Round other = new Round(new float[]{0.1f, 0.2f}, List.of(new Arm("arm-7", new float[0])));
        assertThrows(IllegalArgumentException.class, () -> policy.learn(other, 0, 0.5));
        Round shorter = new Round(new float[]{0.1f}, Worlds.arms(2, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy.choose(shorter));
        assertTrue(e.getMessage().contains("context has 1 features"), e.getMessage());
    }

    /**
     * Retraining often must not shake the network. Every SHARED-scope retraining is a fresh, bias-corrected RMSProp
     * that takes steps of about lr in every parameter, so the learning rate sets how far a network moves per
     * retraining even when the data are already fitted: at the default's 0.003 it stays still enough for the
     * posterior rebuilt on its z to keep the choices good, at ten times that it moves twice as far.
     */
    @Test
    void frequentRetrainingKeepsTheNetworkStillAndTheChoicesGood() {
        double[] rates = {0.04, 0.08, 0.25, 0.12};
        NeuralLinearConfig vitrine = NeuralLinearConfig.vitrineDefault().withTraining(25, 50, 32)
                .withForgetting(Forgetting.NONE);
        NeuralLinearConfig fast = vitrine.withLearningRate(0.03, vitrine.lrDecayRate(), false);
        NeuralLinearConfig[] configs = {vitrine, fast};
        double[] drift = new double[configs.length];
        double[] reward = new double[configs.length];
        for (int c = 0; c < configs.length; c++) {
            NeuralLinearPolicy policy = new NeuralLinearPolicy(configs[c], 3);
            Worlds.run(policy, Worlds.bernoulli(rates, 3), 1000);
            double[] before = policy.network().parameters();
            reward[c] = Worlds.run(policy, Worlds.bernoulli(rates, 4), 600).meanExpectedReward(600);
            double[] after = policy.network().parameters();
            for (int p = 0; p < before.length; p++) {
                drift[c] += (after[p] - before[p]) * (after[p] - before[p]);
            }
            drift[c] = Math.sqrt(drift[c]);
        }
        String drifts = "parameter drift over 24 retrainings: default " + drift[0] + ", lr 0.03 " + drift[1];
        // Measured: 3.4 against 7.6.
        assertTrue(drift[0] < 0.6 * drift[1], drifts);
        assertTrue(reward[0] > 0.22, "mean click rate " + reward[0] + " (best arm 0.25)");
    }

    /**
     * A SHARED-scope retraining is the deployment's: {@link RewardNetworkTraining} with the config's recipe, given the
     * current network as the serving one, and the posterior is then rebuilt from the prior on all rewards re-encoded.
     */
    @Test
    void sharedRetrainingIsTheTrainingApiWarmStartedFromTheCurrentNetwork() {
        NeuralLinearConfig config = NeuralLinearConfig.vitrineRealRewards().withTraining(50, 20, 16);
        long seed = 5;
        NeuralLinearPolicy policy = new NeuralLinearPolicy(config, seed);
        Worlds.World world = Worlds.quadrants(2);
        RewardRows rows = new RewardRows(2, 3);
        Mlp before = null;
        for (int t = 1; t <= 100; t++) {
            Round round = world.next();
            int chosen = policy.choose(round);
            double reward = world.reward(round, chosen);
            policy.learn(round, chosen, reward);
            rows.add(round.context(), round.arms().get(chosen).features(), reward);
            if (t == 50) {
                before = policy.network();
            }
        }
        // The retraining at 100 rewards started from the network trained at 50, which served the rounds between.
        Mlp served = before;
        Mlp expected = RewardNetworkTraining.train(rows, served,
                config.recipe().withSeed(seed + 2 * NeuralLinearPolicy.SEED_STEP + 100)).network();
        assertArrayEquals(expected.parameters(), policy.network().parameters());
        assertEquals(TrainingRecipe.defaults(), NeuralLinearConfig.vitrineDefault().recipe());
        assertEquals(TrainingRecipe.forRealRewards(), NeuralLinearConfig.vitrineRealRewards().recipe());
    }
}
