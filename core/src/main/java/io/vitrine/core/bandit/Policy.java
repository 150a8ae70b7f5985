package io.vitrine.core.bandit;

/**
 * A contextual bandit policy that learns online: Vitrine's neural-linear Thompson sampling and the
 * baselines it is measured against share this interface, so one harness evaluates them all.
 * A policy owns its seeded random source, so a run is reproducible from its seed.
 */
public interface Policy {

    /** A short, stable name for tables and plots, e.g. {@code LinFullPost}. */
    String name();

    /** Index (into {@code round.arms()}) of the arm to play. */
    int choose(Round round);

    /** The reward observed after playing {@code chosen} in {@code round}. */
    void learn(Round round, int chosen, double reward);
}
