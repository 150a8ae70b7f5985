package io.vitrine.cli.world;

/**
 * One visit: which slot is shown and to whom.
 *
 * @param index   position of the visit in the run (the visit is a pure function of the world seed and it)
 * @param slot    index of the slot in the world
 * @param hidden  the visitor's hidden latent vector
 * @param context what Vitrine sees of the visitor: a noisy, partial view of {@code hidden}
 */
public record Visitor(long index, int slot, double[] hidden, float[] context) {
}
