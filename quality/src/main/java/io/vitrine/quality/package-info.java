/** Bandit environments and the regret harness that compares every policy on them. */
package io.vitrine.quality;
