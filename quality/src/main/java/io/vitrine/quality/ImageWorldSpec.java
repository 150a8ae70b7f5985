package io.vitrine.quality;

/**
 * The shape of a synthetic {@link ImageWorld}.
 *
 * @param slots           slots (e.g. the hero image of one hotel), each with its own pool of images
 * @param poolSize        images live in a slot's pool at any time
 * @param offered         candidates offered per round (drawn from the visitor's slot pool)
 * @param latent          dimension of the hidden visitor and image vectors
 * @param arrivalEvery    mean number of rounds between two new images (each retires its slot's oldest)
 * @param driftHalfLife   rounds after which the correlation of a latent vector with its old self is 1/2
 * @param contextNoise    standard deviation of the noise on the observed visitor features
 * @param featureNoise    standard deviation of the noise on the observed image features (fixed at arrival)
 */
public record ImageWorldSpec(int slots, int poolSize, int offered, int latent, int arrivalEvery,
                             int driftHalfLife, double contextNoise, double featureNoise)
        implements EnvironmentSpec {

    public ImageWorldSpec {
        if (slots < 1 || poolSize < 2 || offered < 2 || offered > poolSize || latent < 1) {
            throw new IllegalArgumentException("need slots >= 1 and 2 <= offered <= poolSize, latent >= 1");
        }
        if (arrivalEvery < 1 || driftHalfLife < 1 || contextNoise < 0 || featureNoise < 0) {
            throw new IllegalArgumentException("arrival and drift periods must be positive, noise non-negative");
        }
    }

    /** The world of the quality report: 20 hotels, 20 images each, 12 offered per visitor. */
    public static ImageWorldSpec defaults() {
        return new ImageWorldSpec(20, 20, 12, 6, 500, 1_000_000, 0.2, 0.1);
    }

    @Override
    public String label() {
        return "image world";
    }

    @Override
    public Environment create(long seed) {
        return new ImageWorld(this, seed);
    }
}
