package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.bandit.Policies;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The estimators against their formulas, and against the truth on logs where it is known. */
class EstimatorsTest {

    private static final float[] X = {0f};

    @Test
    void ipsSnipsAndReplayFollowTheirFormulasOnAHandMadeLog() {
        // Two actions, uniform logging: rewards 1, 0 for action 0; 1, 1 for action 1.
        List<LoggedRound> log = List.of(new LoggedRound(X, 2, 0, 1, 0.5), new LoggedRound(X, 2, 0, 0, 0.5),
                new LoggedRound(X, 2, 1, 1, 0.5), new LoggedRound(X, 2, 1, 1, 0.5));
        ScoredRound[] scored = Evaluator.score(log, TargetPolicies.always(1), 3);
        int[] sample = Evaluator.everyRound(4);
        assertEquals((2 + 2) / 4.0, InversePropensity.plain().estimate(scored, sample), 1e-12, "(1/n) sum w r");
        assertEquals(1.0, InversePropensity.clipped(1.5).estimate(scored, sample) / 0.75, 1e-12, "w clipped to 1.5");
        assertEquals(1.0, new SelfNormalizedInversePropensity().estimate(scored, sample), 1e-12, "sum w r / sum w");
        assertEquals(1.0, new Replay().estimate(scored, sample), 1e-12, "mean reward where the target matches");
        assertEquals(2.0, Evaluator.score(log, TargetPolicies.always(0), 3)[0].weight(), 1e-12, "pi / mu = 1 / 0.5");
    }

    @Test
    void snipsIgnoresAConstantAddedToEveryRewardIpsDoesNot() {
        Random random = new Random(4);
        List<LoggedRound> log = new ArrayList<>();
        List<LoggedRound> shifted = new ArrayList<>();
        for (int t = 0; t < 200; t++) {
            int a = random.nextInt(3);
            double p = a == 0 ? 0.5 : 0.25;
            double r = random.nextDouble();
            log.add(new LoggedRound(X, 3, a, r, p));
            shifted.add(new LoggedRound(X, 3, a, r + 10, p));
        }
        TargetPolicy target = TargetPolicies.always(1);
        int[] all = Evaluator.everyRound(200);
        double snips = new SelfNormalizedInversePropensity().estimate(Evaluator.score(log, target, 1), all);
        double snipsShifted = new SelfNormalizedInversePropensity().estimate(Evaluator.score(shifted, target, 1),
                all);
        assertEquals(snips + 10, snipsShifted, 1e-9);
        double ips = InversePropensity.plain().estimate(Evaluator.score(log, target, 1), all);
        double ipsShifted = InversePropensity.plain().estimate(Evaluator.score(shifted, target, 1), all);
        assertTrue(Math.abs(ipsShifted - ips - 10) > 0.1, "IPS moves by 10 times the mean weight, not by 10");
    }

    @Test
    void everyEstimatorIsRightOnAverageOverUniformlyLoggedLogs() {
        LinearClickWorld world = new LinearClickWorld(4, 3, 11);
        TargetPolicy target = StudyPolicies.softmax(world, 0.05);
        double truth = world.value(target, 200_000, 5);
        List<Estimator> estimators = Evaluator.standardEstimators(20);
        int logs = 150;
        double[] sum = new double[estimators.size()];
        double[] squares = new double[estimators.size()];
        for (int l = 0; l < logs; l++) {
            List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(l), 400, 0, 0, 1000 + l);
            // The ridge model: the logistic one is shrunk, so its direct method is biased on logs this small
            // (RewardModelsTest).
            ScoredRound[] scored = Evaluator.score(log, target, l,
                    RewardModels.fit(log, RewardModels.Kind.RIDGE, RewardModels.DEFAULT_RIDGE));
            for (int e = 0; e < estimators.size(); e++) {
                double v = estimators.get(e).estimate(scored, Evaluator.everyRound(scored.length));
                sum[e] += v;
                squares[e] += v * v;
            }
        }
        for (int e = 0; e < estimators.size(); e++) {
            double mean = sum[e] / logs;
            double standardError = Math.sqrt((squares[e] / logs - mean * mean) / logs);
            assertTrue(Math.abs(mean - truth) < 4 * standardError + 0.002, estimators.get(e).name() + ": mean "
                    + mean + " against the truth " + truth + " (standard error " + standardError + ")");
        }
    }

    @Test
    void bootstrapIntervalHoldsTheEstimateAndNarrowsWithMoreData() {
        LinearClickWorld world = new LinearClickWorld(4, 3, 11);
        TargetPolicy target = TargetPolicies.uniform();
        Bootstrap bootstrap = new Bootstrap(200, 0.95);
        double[] widths = new double[2];
        int[] sizes = {200, 3200};
        for (int i = 0; i < 2; i++) {
            ScoredRound[] scored = Evaluator.score(StudyPolicies.log(world, Policies.uniform(1), sizes[i], 0, 0, 9),
                    target, 1);
            double estimate = InversePropensity.plain().estimate(scored, Evaluator.everyRound(scored.length));
            double[] interval = bootstrap.interval(InversePropensity.plain(), scored, 2);
            assertTrue(interval[0] <= estimate && estimate <= interval[1]);
            widths[i] = interval[1] - interval[0];
        }
        // Sixteen times the data: about a quarter of the width.
        assertTrue(widths[1] < widths[0] / 3 && widths[1] > widths[0] / 5, widths[0] + " -> " + widths[1]);
    }

    @Test
    void replayOfClicksGetsWilsonsIntervalEvenWhenNoMatchedRoundClicked() {
        // Uniform logging over two actions, the target always plays 0: rounds 0..9 match, none clicked.
        List<LoggedRound> log = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            log.add(new LoggedRound(X, 2, t < 10 ? 0 : 1, t < 10 ? 0 : 1, 0.5));
        }
        ScoredRound[] scored = Evaluator.score(log, TargetPolicies.always(0), 3);
        double[] interval = new Bootstrap(200, 0.95).interval(new Replay(), scored, 1);
        // Wilson at V = 0, m = 10, z = 1.96: [0, z^2/m / (1 + z^2/m)] = [0, 0.2776]. A percentile bootstrap of
        // ten zeros would be [0, 0].
        double z2m = 1.959964 * 1.959964 / 10;
        assertEquals(0, interval[0], 1e-12);
        assertEquals(z2m / (1 + z2m), interval[1], 1e-6);
        double[] half = Replay.wilson(0.5, 100, 0.95);
        assertEquals(0.5 - half[0], half[1] - 0.5, 1e-12, "symmetric at one half");
        assertEquals(0.0960, half[1] - 0.5, 5e-4, "about z sqrt(1/4 / m) for large m");
    }

    @Test
    void replayOfRewardsOutsideZeroOneGetsTheExpandedPercentileInterval() {
        Random random = new Random(3);
        List<LoggedRound> log = new ArrayList<>();
        for (int t = 0; t < 60; t++) {
            int a = random.nextInt(2);
            log.add(new LoggedRound(X, 2, a, 5 * random.nextDouble(), 0.5));
        }
        ScoredRound[] scored = Evaluator.score(log, TargetPolicies.always(0), 3);
        assertEquals(null, new Replay().directInterval(scored, 0.95), "rewards up to 5: no Wilson interval");
        Bootstrap bootstrap = new Bootstrap(2000, 0.95);
        int m = new Replay().averagedRounds(scored);
        assertTrue(m > 20 && m < 40, "about half the rounds match: " + m);
        double[] expanded = bootstrap.interval(new Replay(), scored, 1);
        // The same resamples with the plain tails: an estimator with the same values but many averaged rounds.
        double[] plain = bootstrap.interval(new Estimator() {
            @Override
            public String name() {
                return "replay, plain percentile";
            }

            @Override
            public double estimate(ScoredRound[] rounds, int[] sample) {
                return new Replay().estimate(rounds, sample);
            }

            @Override
            public int averagedRounds(ScoredRound[] rounds) {
                return 1_000_000;
            }
        }, scored, 1);
        assertTrue(expanded[0] < plain[0] && expanded[1] > plain[1], "expanded " + java.util.Arrays.toString(expanded)
                + " holds plain " + java.util.Arrays.toString(plain));
    }

    @Test
    void expandedPercentileTailsFollowHesterbergsFormula() {
        Bootstrap bootstrap = new Bootstrap(100, 0.95);
        // m = 10: Phi(sqrt(10/9) t_{0.025, 9}) = Phi(-1.0541 x 2.2622) = Phi(-2.3846) = 0.00855.
        assertEquals(0.00855, bootstrap.expandedTail(10), 5e-5);
        assertEquals(0.025, bootstrap.expandedTail(100_000), 1e-4, "the plain tail for large m");
        assertEquals(0.025, bootstrap.expandedTail(1), 1e-12, "no expansion without a spread");
    }

    @Test
    void anEvaluationDependsOnItsSeedOnlyNotOnTheThreadsThatRunTheEstimators() {
        LinearClickWorld world = new LinearClickWorld(4, 3, 11);
        List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(3), 600, 0, 0, 21);
        TargetPolicy target = StudyPolicies.softmax(world, 0.05);
        Evaluator evaluator = new Evaluator(Evaluator.standardEstimators(20), new Bootstrap(100, 0.95), 20);
        Evaluator.PolicyReport first = evaluator.evaluate(log, target, 5);
        // One estimator at a time, in order, as the evaluator did before running them side by side.
        ScoredRound[] scored = Evaluator.score(log, target, 5);
        for (int e = 0; e < evaluator.estimators().size(); e++) {
            Estimator estimator = evaluator.estimators().get(e);
            double[] interval = new Bootstrap(100, 0.95).interval(estimator, scored, 5 * 31 + e);
            Evaluator.Estimate estimate = first.estimates().get(e);
            assertEquals(estimator.name(), estimate.estimator());
            assertEquals(estimator.estimate(scored, Evaluator.everyRound(scored.length)), estimate.value(), 0);
            assertEquals(interval[0], estimate.low(), 0);
            assertEquals(interval[1], estimate.high(), 0);
        }
        assertEquals(first, evaluator.evaluate(log, target, 5), "the same seed gives the same report");
    }

    @Test
    void quantilesInterpolateBetweenOrderStatistics() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertEquals(1, Bootstrap.quantile(sorted, 0), 1e-12);
        assertEquals(3, Bootstrap.quantile(sorted, 0.5), 1e-12);
        assertEquals(4.5, Bootstrap.quantile(sorted, 0.875), 1e-12);
    }

    @Test
    void clippedIpsWidensItsIntervalByTheBoundOfItsClippingBias() {
        // Always action 1, logged with propensity 0.5 (weight 2) or 0.05 (weight 20), rewards in [0, 1].
        List<LoggedRound> log = new ArrayList<>();
        for (int t = 0; t < 40; t++) {
            log.add(new LoggedRound(X, 2, 1, t % 2, t % 10 == 0 ? 0.05 : 0.5));
        }
        ScoredRound[] scored = Evaluator.score(log, TargetPolicies.always(1), 3);
        double mass = 4 * (20 - 5) / 40.0; // four rounds of weight 20 clipped at 5
        assertArrayEquals(new double[] {0, mass}, InversePropensity.clipped(5).biasBounds(scored), 1e-12);
        assertArrayEquals(new double[] {0, 0}, InversePropensity.clipped(25).biasBounds(scored), 1e-12,
                "nothing clipped, nothing to widen");
        assertArrayEquals(new double[] {0, 0}, InversePropensity.plain().biasBounds(scored), 1e-12);
        Bootstrap bootstrap = new Bootstrap(200, 0.9);
        double[] clipped = bootstrap.interval(InversePropensity.clipped(5), scored, 7);
        double[] plainBootstrapOfClipped = bootstrap.interval(new Estimator() {
            private final InversePropensity inner = InversePropensity.clipped(5);

            @Override
            public String name() {
                return "clipped, interval not widened";
            }

            @Override
            public double estimate(ScoredRound[] rounds, int[] sample) {
                return inner.estimate(rounds, sample);
            }

            @Override
            public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
                return inner.estimateWithError(rounds, sample);
            }
        }, scored, 7);
        assertEquals(plainBootstrapOfClipped[0], clipped[0], 1e-12, "rewards are not negative: the low end stays");
        assertEquals(plainBootstrapOfClipped[1] + mass, clipped[1], 1e-12, "the high end moves up by r_max x mass");
    }

    @Test
    void diagnosticsOfEqualWeightsAndOfOneHeavyWeight() {
        List<LoggedRound> even = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
            even.add(new LoggedRound(X, 2, 0, 1, 0.5));
        }
        Diagnostics d = Diagnostics.of(Evaluator.score(even, TargetPolicies.always(0), 1), 20);
        assertEquals(10, d.effectiveSize(), 1e-9, "equal weights: every round counts");
        List<LoggedRound> skewed = new ArrayList<>(even.subList(0, 9));
        skewed.add(new LoggedRound(X, 2, 1, 1, 0.01));
        Diagnostics s = Diagnostics.of(Evaluator.score(skewed, TargetPolicies.always(1), 1), 20);
        assertEquals(1, s.effectiveSize(), 1e-9, "one weight of 100, the rest 0");
        assertEquals(0.01, s.smallestPropensity(), 1e-12);
        assertEquals(100, s.largestWeight(), 1e-9);
        assertEquals(0.1, s.shareClipped(), 1e-12);
    }

    @Test
    void badRoundsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoggedRound(X, 2, 0, 1, 0))
                .getMessage().contains("(0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoggedRound(X, 2, 1, 1, 1.5))
                .getMessage().contains("(0, 1]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoggedRound(X, 2, 2, 1, 0.5))
                .getMessage().contains("not one of the round's 2 actions"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoggedRound(X, 2, 0, Double.NaN, 0.5))
                .getMessage().contains("finite"));
    }
}
