package io.vitrine.cli.http;

/**
 * The learner's posterior of one scope ({@code GET /v1/posteriors/{scope}}), reduced to what the
 * simulator reports.
 *
 * @param scope     the scope
 * @param version   number of updates folded in
 * @param n         (possibly discounted) number of rewards
 * @param dimension embedding dimension
 */
public record PosteriorSummary(String scope, long version, double n, int dimension) {
}
