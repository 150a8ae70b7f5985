package io.vitrine.evaluation;

/** A policy to evaluate offline, by the probability it gives each action of a logged round. */
public interface TargetPolicy {

    /** A short name for tables and plots. */
    String name();

    /** pi(a | round) for every action a of the round: non-negative, summing to 1. */
    double[] probabilities(LoggedRound round);
}
