package io.vitrine.quality;

import io.vitrine.core.bandit.Policy;

/** Plays one {@link Task}: single-threaded and deterministic for its seed. */
public final class Harness {

    private Harness() {
    }

    public static RunResult run(Task task) {
        long start = System.nanoTime();
        Environment environment = task.environment().create(task.seed());
        Policy policy = task.policy().factory().create(environment, task.policySeed());
        int points = Math.min(task.points(), task.rounds());
        int[] curveRounds = new int[points];
        double[] curveRegret = new double[points];
        double[] curveRatio = new double[points];
        double regret = 0;
        double expectedReward = 0;
        double oracleReward = 0;
        double realized = 0;
        double windowReward = 0;
        double windowOracle = 0;
        int point = 0;
        for (int t = 1; t <= task.rounds(); t++) {
            Step step = environment.next();
            int chosen = policy.choose(step.round());
            if (chosen < 0 || chosen >= step.expected().length) {
                throw new IllegalStateException(policy.name() + " chose arm " + chosen + " of "
                        + step.expected().length + " in round " + t);
            }
            double reward = step.rewards()[chosen];
            policy.learn(step.round(), chosen, reward);
            double best = step.optimal();
            double got = step.expected()[chosen];
            regret += best - got;
            expectedReward += got;
            oracleReward += best;
            realized += reward;
            windowReward += got;
            windowOracle += best;
            // Window ends spread evenly, the last one on the last round.
            if (t == (int) ((long) task.rounds() * (point + 1) / points)) {
                curveRounds[point] = t;
                curveRegret[point] = regret;
                curveRatio[point] = windowOracle > 0 ? windowReward / windowOracle : 1;
                windowReward = 0;
                windowOracle = 0;
                point++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new RunResult(task.group(), task.policy().name(), task.seed(), task.rounds(), regret, expectedReward,
                oracleReward, realized, curveRounds, curveRegret, curveRatio, millis);
    }
}
