package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.bandit.Policies;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bootstrap of per-round terms ({@link Estimator#terms}) against re-running the estimator on each resample. */
class TermsBootstrapTest {

    /** The estimator without its terms: the bootstrap re-runs it on every resample, as it did before terms. */
    private static Estimator rerun(Estimator inner) {
        return new Estimator() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public double estimate(ScoredRound[] rounds, int[] sample) {
                return inner.estimate(rounds, sample);
            }

            @Override
            public double[] estimateWithError(ScoredRound[] rounds, int[] sample) {
                return inner.estimateWithError(rounds, sample);
            }

            @Override
            public double[] reported(double[] interval, ScoredRound[] rounds) {
                return inner.reported(interval, rounds);
            }
        };
    }

    private static ScoredRound[] scored(int rounds, long seed) {
        LinearClickWorld world = new LinearClickWorld(4, 3, 11);
        List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(seed), rounds, 0, 0, seed + 1);
        return Evaluator.score(log, StudyPolicies.softmax(world, 0.05), seed);
    }

    @Test
    void upToTheBucketCountResamplingTermsIsResamplingRoundsExactly() {
        ScoredRound[] scored = scored(2_000, 3);
        Bootstrap bootstrap = new Bootstrap(300, 0.95);
        for (Estimator estimator : List.of(InversePropensity.plain(), InversePropensity.clipped(2),
                new SelfNormalizedInversePropensity(), new DoublyRobust())) {
            assertNotNull(estimator.terms(scored), estimator.name());
            double[] fast = bootstrap.interval(estimator, scored, 9);
            double[] slow = bootstrap.interval(rerun(estimator), scored, 9);
            assertEquals(slow[0], fast[0], 1e-9, estimator.name());
            assertEquals(slow[1], fast[1], 1e-9, estimator.name());
        }
        // The direct method's interval is doubly robust's, stretched to hold the direct method's own value.
        double[] direct = bootstrap.interval(new DirectMethod(), scored, 9);
        double[] robust = bootstrap.interval(new DoublyRobust(), scored, 9);
        double value = new DirectMethod().estimate(scored, Evaluator.everyRound(scored.length));
        assertTrue(DirectMethod.correction(scored) != 0, "this log's model is corrected by doubly robust");
        assertEquals(Math.min(robust[0], value), direct[0], 1e-12);
        assertEquals(Math.max(robust[1], value), direct[1], 1e-12);
    }

    @Test
    void beyondTheBucketCountResampledBucketsGiveTheIntervalOfResampledRounds() {
        ScoredRound[] scored = scored(4 * Bootstrap.MAX_BUCKETS, 5);
        Bootstrap bootstrap = new Bootstrap(2_000, 0.95);
        for (Estimator estimator : List.of(InversePropensity.plain(), new SelfNormalizedInversePropensity(),
                new DoublyRobust())) {
            double[] fast = bootstrap.interval(estimator, scored, 9);
            double[] slow = bootstrap.interval(rerun(estimator), scored, 9);
            double width = slow[1] - slow[0];
            assertTrue(width > 0);
            // Different resamples of the same data: the ends agree up to the Monte Carlo error of 2,000 replicates.
            assertEquals(slow[0], fast[0], 0.08 * width, estimator.name());
            assertEquals(slow[1], fast[1], 0.08 * width, estimator.name());
        }
    }
}
