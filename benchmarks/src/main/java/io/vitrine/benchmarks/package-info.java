/** JMH benchmarks of Vitrine's hot paths. */
package io.vitrine.benchmarks;
