package io.vitrine.learner.streams;

/**
 * Whether records of a join task's input wait on the broker, not yet fetched: such a task is behind, not quiet, and
 * must not close its windows by wall clock.
 */
@FunctionalInterface
public interface InputLag {

    /** For a topology run without a consumer (tests): no lag is ever known. */
    InputLag UNKNOWN = partition -> false;

    /**
     * @param partition the partition number of the join task (its input partitions all carry that number)
     * @return true when the consumer knows of records on the broker past its position on one of them
     */
    boolean behind(int partition);
}
