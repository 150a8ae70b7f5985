package io.vitrine.cli.sim;

import java.util.List;

/**
 * What Vitrine chose.
 *
 * @param requestId        the request id (echoed or assigned)
 * @param scope            the posterior scope that made the choice
 * @param posteriorVersion version of the posterior used (0 is the prior)
 * @param chosen           chosen candidates, best first
 */
public record DecisionAnswer(String requestId, String scope, long posteriorVersion, List<Chosen> chosen) {

    public DecisionAnswer {
        chosen = List.copyOf(chosen);
    }

    /** A chosen candidate with the propensity of that choice under the sampling policy. */
    public record Chosen(String candidateId, int rank, double propensity) {
    }
}
