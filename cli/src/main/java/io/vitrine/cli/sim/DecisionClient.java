package io.vitrine.cli.sim;

/**
 * Asks Vitrine for a decision. The simulator only depends on this, so its statistics can be checked
 * with an in-process decision function; {@link io.vitrine.cli.http.HttpDecisionClient} is the
 * real one. Implementations must be safe for concurrent use.
 */
@FunctionalInterface
public interface DecisionClient {

    DecisionAnswer decide(DecisionQuery query) throws DecisionException;
}
