package io.vitrine.loadtest.http;

import java.net.URI;

/**
 * What a load step sends to: a name for the report, the endpoint, and what makes an answer right.
 *
 * @param name     {@code decisions} or {@code baseline}, as reported
 * @param uri      the endpoint the bodies are posted to
 * @param expected a string every right answer's body contains (for decisions, {@code "propensity"}: the served
 *                 propensities are part of what is measured)
 */
public record Target(String name, URI uri, String expected) {
}
