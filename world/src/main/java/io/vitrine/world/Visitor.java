package io.vitrine.world;

/**
 * One visit: which slot is shown and to whom.
 *
 * @param index   position of the visit in the run (the visit is a pure function of the world seed, it and, in a
 *                drifting world, the population's mean at the time)
 * @param slot    index of the slot in the world
 * @param hidden  the visitor's hidden latent vector
 * @param context what a policy sees of the visitor: a noisy, possibly partial view of {@code hidden}
 */
public record Visitor(long index, int slot, double[] hidden, float[] context) {
}
