package io.vitrine.evaluation;

/**
 * A policy to evaluate offline, by the probability it gives each action of a logged round. A policy that learns
 * is replayed in log order: the evaluation asks for its probabilities of round t, then shows it round t's logged
 * action and reward ({@link #observe}), so it only ever learns from the past.
 */
public interface TargetPolicy {

    /** A short name for tables and plots. */
    String name();

    /**
     * pi(a | round) for every action a of the round: non-negative, summing to 1. Read only: a policy that gives
     * every round the same probabilities may return the same array each time (a million rounds of eighty actions
     * would otherwise allocate 640 MB per target).
     */
    double[] probabilities(LoggedRound round);

    /**
     * pi(a | round) of the log's round number {@code t} (from 0, in log order): what the evaluation asks. A policy
     * given per round from outside (a file of probabilities or scores) reads its row t; others ignore t.
     */
    default double[] probabilities(int t, LoggedRound round) {
        return probabilities(round);
    }

    /** The logged outcome of a round, after its probabilities were taken; fixed policies ignore it. */
    default void observe(LoggedRound round) {
    }
}
