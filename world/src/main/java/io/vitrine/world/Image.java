package io.vitrine.world;

/**
 * One image of a slot.
 *
 * @param id       the candidate id sent to Vitrine
 * @param base     hidden intercept of the click logit (the image's appeal)
 * @param hidden   hidden latent vector (interacts with the visitor's latent vector)
 * @param features what a policy sees: a noisy view of {@code hidden} and {@code base} fixed when the image was made
 *                 (stale once {@code hidden} drifts), padded with irrelevant ones
 */
public record Image(String id, double base, double[] hidden, float[] features) {

    /** The same image with a drifted latent vector; what a policy sees does not change. */
    public Image withHidden(double[] drifted) {
        return new Image(id, base, drifted, features);
    }
}
