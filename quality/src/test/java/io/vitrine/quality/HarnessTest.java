package io.vitrine.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HarnessTest {

    private static List<Task> tasks() {
        List<Task> tasks = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            for (PolicySpec policy : List.of(RandomPolicy.spec(), PolicySpec.oracle(), GreedyPolicy.spec())) {
                tasks.add(new Task("wheel", WheelBandit.spec(0.7), policy, seed, 500, 10));
                tasks.add(new Task("images", ImageEnvironmentSpec.defaults(), policy, seed, 2_000, 10));
            }
        }
        return tasks;
    }

    @Test
    void uniformIs100AndTheOracle0() throws InterruptedException {
        List<RunResult> results = Experiment.run(tasks(), 2, (r, done, total, elapsed, remaining) -> { });
        for (Summary summary : Summary.of(results)) {
            switch (summary.policy()) {
                case Summary.UNIFORM -> {
                    assertEquals(100, summary.normalised().mean(), 1e-9);
                    assertEquals(0, summary.normalised().std(), 1e-9);
                }
                case "Oracle" -> {
                    assertEquals(0, summary.normalised().mean(), 1e-9);
                    assertEquals(1, summary.ratio().mean(), 1e-12);
                }
                default -> assertTrue(summary.normalised().mean() > 0, summary.toString());
            }
            assertEquals(3, summary.runs());
        }
    }

    @Test
    void aRunIsDeterministicForItsSeedWhateverTheThreads() throws InterruptedException {
        List<RunResult> parallel = Experiment.run(tasks(), 2, (r, done, total, elapsed, remaining) -> { });
        List<RunResult> sequential = Experiment.run(tasks(), 1, (r, done, total, elapsed, remaining) -> { });
        assertEquals(parallel.size(), sequential.size());
        for (int i = 0; i < parallel.size(); i++) {
            RunResult a = parallel.get(i);
            RunResult b = sequential.get(i);
            assertEquals(a.policy(), b.policy());
            assertEquals(a.regret(), b.regret(), 0);
            assertEquals(a.realizedReward(), b.realizedReward(), 0);
            assertArrayEquals(a.curveRegret(), b.curveRegret(), 0);
        }
        RunResult again = Harness.run(tasks().get(0));
        assertEquals(parallel.get(0).regret(), again.regret(), 0);
    }

    @Test
    void curvesEndOnTheLastRound() {
        RunResult result = Harness.run(new Task("wheel", WheelBandit.spec(0.5), RandomPolicy.spec(), 9, 1_000, 7));
        assertEquals(7, result.curveRounds().length);
        assertEquals(1_000, result.curveRounds()[6]);
        assertEquals(result.regret(), result.curveRegret()[6], 0);
        for (int i = 1; i < 7; i++) {
            assertTrue(result.curveRegret()[i] >= result.curveRegret()[i - 1]);
        }
    }

    @Test
    void aFailingRunFailsTheExperimentWithItsLabel() {
        PolicySpec outOfRange = new PolicySpec("OutOfRange", (environment, seed) -> new io.vitrine.core.bandit.Policy() {
            @Override
            public String name() {
                return "OutOfRange";
            }

            @Override
            public int choose(io.vitrine.core.bandit.Round round) {
                return round.arms().size();
            }

            @Override
            public void learn(io.vitrine.core.bandit.Round round, int chosen, double reward) {
            }
        });
        List<Task> tasks = List.of(new Task("wheel", WheelBandit.spec(0.5), RandomPolicy.spec(), 1, 100, 1),
                new Task("wheel", WheelBandit.spec(0.5), outOfRange, 1, 100, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Experiment.run(tasks, 2, (r, done, total, elapsed, remaining) -> { }));
        assertTrue(e.getMessage().contains("OutOfRange"), e.getMessage());
    }
}
