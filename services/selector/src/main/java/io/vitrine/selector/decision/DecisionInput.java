package io.vitrine.selector.decision;

import java.time.Instant;
import java.util.List;

/**
 * A decision request as both paths (HTTP and topic) hand it to the engine. Fields may be null or
 * malformed here: {@link RequestValidator} reports every problem at once.
 *
 * @param incumbent the caller's own choice, which a slot in apprentice mode serves; null when the caller sent none
 */
public record DecisionInput(String requestId, String slot, float[] context, List<CandidateInput> candidates,
                            Integer k, Instant timestamp, Incumbent incumbent) {

    /** A request without the caller's own choice. */
    public DecisionInput(String requestId, String slot, float[] context, List<CandidateInput> candidates, Integer k,
                         Instant timestamp) {
        this(requestId, slot, context, candidates, k, timestamp, null);
    }

    /** One candidate with its features in the encoder's candidate layout. */
    public record CandidateInput(String id, float[] features) {
    }

    /**
     * The choice the caller's current system made, and that system's probability of it (null when it has none: a
     * deterministic system).
     */
    public record Incumbent(String candidateId, Double propensity) {
    }
}
