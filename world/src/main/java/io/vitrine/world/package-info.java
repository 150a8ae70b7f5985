/**
 * The synthetic image world: slots, images, visitors and their hidden click model, played by the demo's simulator,
 * {@code encoder-forms}, the end-to-end tests and the quality report.
 */
package io.vitrine.world;
