package io.vitrine.cli.sim;

import java.util.List;

/**
 * One decision request, as the web front end would send it.
 *
 * @param requestId  unique id, also the key of the impression and click events
 * @param slot       slot name
 * @param context    context features
 * @param candidates candidate ids with their features
 * @param k          how many candidates to choose
 */
public record DecisionQuery(String requestId, String slot, float[] context, List<CandidateFeatures> candidates, int k) {

    public DecisionQuery {
        candidates = List.copyOf(candidates);
    }

    /** A candidate id with its features. */
    public record CandidateFeatures(String id, float[] features) {
    }
}
