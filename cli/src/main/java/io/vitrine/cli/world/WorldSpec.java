package io.vitrine.cli.world;

/**
 * The shape of a generated {@link ImageWorld}.
 *
 * @param slots             number of slots (e.g. the hero image of a hotel)
 * @param candidatesPerSlot candidates competing in each slot
 * @param contextFeatures   size of the context vector sent to Vitrine (from {@code GET /v1/encoder})
 * @param candidateFeatures size of each candidate's feature vector (from {@code GET /v1/encoder})
 * @param seed              every draw of the world derives from it
 */
public record WorldSpec(int slots, int candidatesPerSlot, int contextFeatures, int candidateFeatures, long seed) {

    public WorldSpec {
        if (slots < 1 || candidatesPerSlot < 2) {
            throw new IllegalArgumentException("need at least 1 slot and 2 candidates per slot");
        }
        if (contextFeatures < 1 || candidateFeatures < 1) {
            throw new IllegalArgumentException("feature sizes must be positive");
        }
    }
}
