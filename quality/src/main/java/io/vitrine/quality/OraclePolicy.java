package io.vitrine.quality;

import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.Round;

/** Plays the best arm of the environment's current round: the reference every regret is measured from. */
final class OraclePolicy implements Policy {

    private final Environment environment;

    OraclePolicy(Environment environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "Oracle";
    }

    @Override
    public int choose(Round round) {
        Step step = environment.current();
        if (step.round() != round) {
            throw new IllegalStateException("the oracle only plays the environment's current round");
        }
        return step.bestArm();
    }

    @Override
    public void learn(Round round, int chosen, double reward) {
        // Nothing to learn: it knows.
    }
}
