package io.vitrine.selector.decision;

import java.time.Instant;
import java.util.List;

/**
 * A decision request as both paths (HTTP and topic) hand it to the engine. Fields may be null or
 * malformed here: {@link RequestValidator} reports every problem at once.
 */
public record DecisionInput(String requestId, String slot, float[] context, List<CandidateInput> candidates,
                            Integer k, Instant timestamp) {

    /** One candidate with its features in the encoder's candidate layout. */
    public record CandidateInput(String id, float[] features) {
    }
}
