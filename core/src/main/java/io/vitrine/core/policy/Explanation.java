package io.vitrine.core.policy;

/**
 * A decision with every candidate explained, aligned with the candidates' order: the posterior-mean score
 * {@code z_a . mu}, the score {@code z_a . beta} of the draw that made the decision, and the Monte Carlo
 * probability that the policy puts the candidate in the top k. Arrays are not copied: treat them as read-only.
 */
public record Explanation(Choice choice, double[] meanScores, double[] sampledScores, double[] propensities) {
}
