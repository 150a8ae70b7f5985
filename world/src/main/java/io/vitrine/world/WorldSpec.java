package io.vitrine.world;

import java.util.List;

/**
 * The shape of a generated {@link ImageWorld}.
 *
 * @param slots         number of slots (e.g. the hero image of a hotel)
 * @param imagesPerSlot images in each slot's pool at any time
 * @param offered       candidates offered per visit, drawn from the visitor's slot ({@code imagesPerSlot}: all)
 * @param latent        dimension of the hidden visitor and image vectors
 * @param imageSpread   standard deviation of each coordinate of an image's hidden vector
 * @param slotKinds     kinds of slot, in turn: slot {@code s} is of kind {@code s % slotKinds.size()}
 * @param observation   what a policy sees of visitors and images
 * @param dynamics      how the world changes while it is played ({@link Dynamics#NONE}: not at all)
 * @param seed          every draw of the world derives from it
 */
public record WorldSpec(int slots, int imagesPerSlot, int offered, int latent, double imageSpread,
                        List<SlotKind> slotKinds, Observation observation, Dynamics dynamics, long seed) {

    /** Latent dimension of the demo's world. */
    static final int DEMO_LATENT = 4;
    private static final List<SlotKind> DEMO_KINDS = List.of(
            // Context dependent: the best image depends on the visitor.
            new SlotKind(0.7, new Intercept.Uniform(-3.2, 1.1)),
            // A near-global winner: one image wins almost everywhere.
            new SlotKind(0.2, new Intercept.Uniform(-4.0, 2.5)));

    public WorldSpec {
        if (slots < 1 || imagesPerSlot < 2 || offered < 2 || offered > imagesPerSlot) {
            throw new IllegalArgumentException("need at least 1 slot and 2 <= offered <= imagesPerSlot");
        }
        if (latent < 1 || !(imageSpread >= 0) || slotKinds.isEmpty()) {
            throw new IllegalArgumentException("need latent >= 1, a non-negative spread and at least one slot kind");
        }
        if (observation.observedLatent() > latent) {
            throw new IllegalArgumentException("the context cannot observe more than the " + latent + " latent dimensions");
        }
        slotKinds = List.copyOf(slotKinds);
    }

    /**
     * The demo's world: {@code slots} slots of {@code candidatesPerSlot} images, all offered, that never change;
     * slots alternate between context dependent ones and ones with a near-global winner. Visitors have a 4-dimensional
     * hidden vector of which the context sees 3 (noise 0.5), repeated to fill {@code contextFeatures}; an image's
     * features are its hidden vector and intercept with noise 0.3, padded with irrelevant ones to
     * {@code candidateFeatures}. Feature sizes come from the encoder ({@code GET /v1/encoder}).
     */
    public WorldSpec(int slots, int candidatesPerSlot, int contextFeatures, int candidateFeatures, long seed) {
        this(slots, candidatesPerSlot, candidatesPerSlot, DEMO_LATENT, 1.0, DEMO_KINDS,
                new Observation(contextFeatures, DEMO_LATENT - 1, 0.5, candidateFeatures, 0.3, -2.6), Dynamics.NONE,
                seed);
    }

    /**
     * The world of the quality report: 20 hotels of 20 images, 12 offered per visitor, a 6-dimensional hidden vector
     * seen whole by the context (noise 0.2), image features that are the hidden vector and intercept with noise 0.1;
     * a new image every 500 visits on average, and slow drift of images and visitors.
     */
    public static WorldSpec qualityReport(long seed) {
        int latent = 6;
        return new WorldSpec(20, 20, 12, latent, 0.6, List.of(new SlotKind(1.0, new Intercept.Normal(-3.2, 0.5))),
                new Observation(latent, latent, 0.2, latent + 1, 0.1, -3.2), new Dynamics(500, 1_000_000), seed);
    }

    /** Size of the context vector. */
    public int contextFeatures() {
        return observation.contextFeatures();
    }

    /** Size of each image's feature vector. */
    public int candidateFeatures() {
        return observation.candidateFeatures();
    }

    public WorldSpec withSeed(long newSeed) {
        return new WorldSpec(slots, imagesPerSlot, offered, latent, imageSpread, slotKinds, observation, dynamics,
                newSeed);
    }

    /**
     * What a policy sees.
     *
     * @param contextFeatures   size of the context vector: feature {@code j} is hidden dimension
     *                          {@code j % observedLatent} plus noise
     * @param observedLatent    hidden dimensions the context carries (the first ones; the others are never seen)
     * @param contextNoise      standard deviation of the noise on every context feature, redrawn per visitor
     * @param candidateFeatures size of an image's feature vector: the hidden vector, then the intercept less
     *                          {@code interceptCenter}, each plus noise, then irrelevant standard normal ones
     * @param featureNoise      standard deviation of the noise on an image's features, drawn once with the image
     * @param interceptCenter   subtracted from the intercept in its feature, so that the feature is centred
     */
    public record Observation(int contextFeatures, int observedLatent, double contextNoise, int candidateFeatures,
                              double featureNoise, double interceptCenter) {
        public Observation {
            if (contextFeatures < 1 || candidateFeatures < 1 || observedLatent < 1) {
                throw new IllegalArgumentException("feature sizes and the observed dimensions must be positive");
            }
            if (!(contextNoise >= 0) || !(featureNoise >= 0)) {
                throw new IllegalArgumentException("noise must be non-negative");
            }
        }
    }

    /**
     * How a world changes while {@link ImageWorld#visits() played}.
     *
     * @param arrivalEvery  mean number of visits between two new images, each retiring the oldest of a random slot
     *                      (0: none arrive)
     * @param driftHalfLife visits after which the correlation of a hidden vector (images', and the visitor
     *                      population's mean) with its old self is 1/2 (0: no drift)
     */
    public record Dynamics(int arrivalEvery, int driftHalfLife) {

        public static final Dynamics NONE = new Dynamics(0, 0);

        public Dynamics {
            if (arrivalEvery < 0 || driftHalfLife < 0) {
                throw new IllegalArgumentException("arrival and drift periods must be non-negative");
            }
        }
    }
}
