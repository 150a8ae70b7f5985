package io.vitrine.quality;

import io.vitrine.world.ImageWorld;
import io.vitrine.world.WorldSpec;

/**
 * The image world of a given shape, one world per seed.
 *
 * @param world the world's shape; its own seed is replaced by the run's
 */
public record ImageEnvironmentSpec(WorldSpec world) implements EnvironmentSpec {

    /** The world of the quality report ({@link WorldSpec#qualityReport(long)}). */
    public static ImageEnvironmentSpec defaults() {
        return new ImageEnvironmentSpec(WorldSpec.qualityReport(0));
    }

    /**
     * The policy that knows the click model but sees only the observed features
     * ({@link ImageEnvironment#knownModel(double)}); it needs a context that sees the whole hidden vector, unpadded,
     * and one context weight for every slot.
     */
    public PolicySpec knownModel() {
        WorldSpec.Observation seen = world.observation();
        if (world.slotKinds().size() != 1 || seen.observedLatent() != world.latent()
                || seen.contextFeatures() != world.latent()) {
            throw new IllegalStateException("the known model needs the whole hidden vector in the context and one"
                    + " kind of slot");
        }
        return ImageEnvironment.knownModel(world.slotKinds().get(0).contextWeight());
    }

    @Override
    public String label() {
        return "image world";
    }

    @Override
    public Environment create(long seed) {
        return new ImageEnvironment(ImageWorld.generate(world.withSeed(seed)));
    }
}
