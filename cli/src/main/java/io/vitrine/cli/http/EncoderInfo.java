package io.vitrine.cli.http;

/**
 * The feature layout the selector expects ({@code GET /v1/encoder}).
 *
 * @param version           encoder version
 * @param contextFeatures   number of context features per request
 * @param candidateFeatures number of features per candidate
 * @param dimension         size of the embedding the posteriors work on
 */
public record EncoderInfo(String version, int contextFeatures, int candidateFeatures, int dimension) {
}
