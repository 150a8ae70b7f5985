package io.vitrine.quality;

/**
 * A seeded bandit environment, played one round at a time. Its random stream never depends on what
 * the policy chooses, so every policy faces the same rounds for a given seed.
 */
public interface Environment {

    /** Draws and returns the next round. */
    Step next();

    /** The round returned by the last {@link #next()}; the oracle policy looks at it. */
    Step current();
}
