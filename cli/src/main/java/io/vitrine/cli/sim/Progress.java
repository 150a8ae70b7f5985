package io.vitrine.cli.sim;

/**
 * A look at a running simulation, taken about once a second.
 *
 * @param elapsedSeconds     time since the start
 * @param done               decisions answered
 * @param requested          decisions asked for
 * @param errors             failed requests
 * @param decisionsPerSecond answered decisions per second since the previous look
 * @param overall            figures since the start
 * @param recent             figures since the previous look
 * @param p99Millis          99th percentile latency since the previous look
 * @param posteriorVersion   newest posterior version seen in an answer
 */
public record Progress(double elapsedSeconds, long done, long requested, long errors, double decisionsPerSecond,
                       WindowStats overall, WindowStats recent, double p99Millis, long posteriorVersion) {

    /** Receives progress looks; called from one thread. */
    @FunctionalInterface
    public interface Listener {

        void update(Progress progress);

        /** Called once with the last look, after the run. */
        default void finish(Progress progress) {
            update(progress);
        }

        /** A listener that ignores everything. */
        static Listener none() {
            return progress -> { };
        }
    }
}
