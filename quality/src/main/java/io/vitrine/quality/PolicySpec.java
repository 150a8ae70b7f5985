package io.vitrine.quality;

import io.vitrine.core.bandit.Policy;

/**
 * A named way to build a fresh policy for one run.
 *
 * @param name    row label in tables and plots
 * @param factory builds the policy from the run's environment (only the oracle looks at it) and seed
 */
public record PolicySpec(String name, Factory factory) {

    /** Builds a policy for a run. */
    @FunctionalInterface
    public interface Factory {
        Policy create(Environment environment, long seed);
    }

    /** A policy that needs only its seed, as every learning policy does. */
    public static PolicySpec of(String name, java.util.function.LongFunction<Policy> bySeed) {
        return new PolicySpec(name, (environment, seed) -> bySeed.apply(seed));
    }

    /** The all-knowing policy: always the arm with the largest expected reward (zero regret). */
    public static PolicySpec oracle() {
        return new PolicySpec("Oracle", (environment, seed) -> new OraclePolicy(environment));
    }
}
