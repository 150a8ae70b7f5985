package io.vitrine.learner.streams;

import io.vitrine.avro.ChosenCandidate;
import io.vitrine.avro.Decision;
import io.vitrine.core.encoder.EncoderInfo;

/**
 * What a logged decision must hold for its rewards to be usable: at least one chosen candidate, each with a
 * non-empty, finite embedding of one common dimension (at most {@link #MAX_DIMENSION}) and a propensity in (0, 1].
 * The selector always writes such decisions; anything else on the topic came from somewhere else and is refused at
 * the door, so that no reward built from it can reach a posterior.
 */
final class DecisionCheck {

    /** The largest embedding a posterior takes (a d x d record must fit Kafka's default 1 MiB). */
    static final int MAX_DIMENSION = EncoderInfo.MAX_DIMENSION;

    private DecisionCheck() {
    }

    /** Null if the decision is usable, else what is wrong with it. */
    static String problem(Decision decision) {
        if (decision.getChosen() == null || decision.getChosen().isEmpty()) {
            return "no chosen candidate";
        }
        int dimension = -1;
        for (ChosenCandidate chosen : decision.getChosen()) {
            String id = chosen.getCandidateId();
            if (chosen.getEmbedding() == null || chosen.getEmbedding().isEmpty()) {
                return "candidate '" + id + "' has no embedding";
            }
            if (dimension >= 0 && chosen.getEmbedding().size() != dimension) {
                return "candidate '" + id + "' has an embedding of " + chosen.getEmbedding().size()
                        + " values, another one of " + dimension;
            }
            dimension = chosen.getEmbedding().size();
            if (dimension > MAX_DIMENSION) {
                return "candidate '" + id + "' has an embedding of " + dimension + " values, more than the "
                        + MAX_DIMENSION + " a posterior holds";
            }
            for (Float value : chosen.getEmbedding()) {
                if (value == null || !Float.isFinite(value)) {
                    return "candidate '" + id + "' has a non-finite embedding value";
                }
            }
            double propensity = chosen.getPropensity();
            if (!(propensity > 0 && propensity <= 1)) {
                return "candidate '" + id + "' has propensity " + propensity + ", outside (0, 1]";
            }
        }
        return null;
    }
}
