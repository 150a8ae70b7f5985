package io.vitrine.quality;

/**
 * One run: a policy against one seeded environment for a number of rounds.
 *
 * @param group       the table column this run belongs to, e.g. {@code wheel δ=0.90}
 * @param environment the environment family
 * @param policy      the policy
 * @param seed        the environment's seed; the policy's seed derives from it and the policy's name
 * @param rounds      number of decisions
 * @param points      number of points kept for curves (cumulative regret, CTR over time)
 */
public record Task(String group, EnvironmentSpec environment, PolicySpec policy, long seed, int rounds, int points) {

    public Task {
        if (rounds < 1 || points < 1) {
            throw new IllegalArgumentException("rounds and points must be positive");
        }
    }

    /** The policy's own seed: differs from the environment's, and per policy. */
    public long policySeed() {
        return Seeds.mix(seed, Seeds.stream(policy.name()));
    }

    public String label() {
        return group + " · " + policy.name() + " · seed " + seed;
    }
}
