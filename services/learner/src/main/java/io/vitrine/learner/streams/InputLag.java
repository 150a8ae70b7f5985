package io.vitrine.learner.streams;

/**
 * Whether a join task's input may have records waiting on the broker, not yet fetched: such a task is behind, not
 * quiet, and must not close its windows by wall clock.
 */
@FunctionalInterface
public interface InputLag {

    /** For a topology run without a consumer (tests): never behind. */
    InputLag UNKNOWN = partition -> false;

    /**
     * An answer may rest on what the consumer did since the previous call for the same partition (a fetch completed
     * since then): ask often enough (each tick) for that to be recent.
     *
     * @param partition the partition number of the join task (its input partitions all carry that number)
     * @return true unless the consumer is known to be caught up on all of them
     */
    boolean behind(int partition);
}
