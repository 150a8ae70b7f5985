package io.vitrine.core.encoder;

/**
 * What an encoder expects and produces: rows of {@code F = contextFeatures + candidateFeatures} floats
 * (context first, then candidate) map to embeddings of length {@code dimension}.
 *
 * @param version           encoder version; posteriors are tied to it
 * @param contextFeatures   Fc, number of context (visitor, page) features at the start of a row
 * @param candidateFeatures Fa, number of candidate features after them
 * @param dimension         d, length of the embedding z
 */
public record EncoderInfo(String version, int contextFeatures, int candidateFeatures, int dimension) {

    /**
     * The largest embedding a posterior takes. A scope's statistics are d x d doubles in one changelog record and its
     * snapshot a d x d factor in one {@code posteriors} record: at 256 about 0.5 MiB each, within Kafka's default
     * 1 MiB record limit. The learner refuses decisions and rewards of larger embeddings, and the encoder loader
     * refuses models that would make them.
     */
    public static final int MAX_DIMENSION = 256;

    public EncoderInfo {
        if (version == null || version.isBlank()) {
            throw new IllegalArgumentException("encoder version must not be blank");
        }
        if (contextFeatures < 0 || candidateFeatures < 0 || contextFeatures + candidateFeatures < 1) {
            throw new IllegalArgumentException("feature counts must be >= 0 with at least one feature, got context "
                    + contextFeatures + " and candidate " + candidateFeatures);
        }
        if (dimension < 1) {
            throw new IllegalArgumentException("embedding dimension must be >= 1, got " + dimension);
        }
    }

    /** F = contextFeatures + candidateFeatures, the width of an input row. */
    public int features() {
        return contextFeatures + candidateFeatures;
    }
}
