package io.vitrine.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.core.bandit.Policies;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Learning target policies are replayed in log order and learn only from the past. */
class LearningTargetTest {

    @TempDir
    Path dir;

    @Test
    void roundsAreScoredBeforeTheyAreObserved() {
        List<String> calls = new ArrayList<>();
        TargetPolicy spy = new TargetPolicy() {
            @Override
            public String name() {
                return "spy";
            }

            @Override
            public double[] probabilities(LoggedRound round) {
                calls.add("p" + (int) round.context()[0]);
                return new double[] {0.5, 0.5};
            }

            @Override
            public void observe(LoggedRound round) {
                calls.add("o" + (int) round.context()[0]);
            }
        };
        List<LoggedRound> log = List.of(new LoggedRound(new float[] {0}, 2, 0, 1, 0.5),
                new LoggedRound(new float[] {1}, 2, 1, 0, 0.5), new LoggedRound(new float[] {2}, 2, 0, 1, 0.5));
        Evaluator.score(log, spy, 1);
        assertEquals(List.of("p0", "o0", "p1", "o1", "p2", "o2"), calls);
    }

    @Test
    void aLearningPolicyReplayedOnAUniformLogIsEstimatedAboveUniform() {
        LinearClickWorld world = new LinearClickWorld(4, 3, 5);
        List<LoggedRound> log = StudyPolicies.log(world, Policies.uniform(3), 6_000, 0, 0, 8);
        double uniform = world.value(TargetPolicies.uniform(), 200_000, 1);
        for (String name : List.of("linear-ts", "neural-linear")) {
            TargetPolicy learner = TargetPolicies.parse(name, 7);
            ScoredRound[] scored = Evaluator.score(log, learner, 7);
            double snips = new SelfNormalizedInversePropensity().estimate(scored,
                    Evaluator.everyRound(scored.length));
            assertTrue(snips > uniform + 0.02, name + " learned from the log: " + snips + " vs uniform " + uniform);
            double[] first = TargetPolicies.parse(name, 7).probabilities(log.get(0));
            assertEquals(1.0, java.util.Arrays.stream(first).sum(), 1e-9, "probabilities sum to 1");
        }
    }
}
