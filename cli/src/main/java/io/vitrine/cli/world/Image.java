package io.vitrine.cli.world;

/**
 * One candidate of a slot.
 *
 * @param id       the candidate id sent to Vitrine
 * @param base     hidden intercept of the click logit
 * @param hidden   hidden latent vector (interacts with the visitor's latent vector)
 * @param features what Vitrine sees: a fixed, noisy and partial view of {@code base} and {@code hidden}
 */
public record Image(String id, double base, double[] hidden, float[] features) {
}
