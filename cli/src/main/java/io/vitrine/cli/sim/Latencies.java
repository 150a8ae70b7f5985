package io.vitrine.cli.sim;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Decision latencies in microseconds: wait-free recording from the workers, interval reads from one
 * reader that also accumulates the whole run.
 */
final class Latencies {

    private static final long HIGHEST_MICROS = 120_000_000L;

    private final Recorder recorder = new Recorder(HIGHEST_MICROS, 3);
    private final Histogram total = new Histogram(HIGHEST_MICROS, 3);
    private Histogram interval;

    void record(long micros) {
        recorder.recordValue(Math.max(0, Math.min(micros, HIGHEST_MICROS)));
    }

    /** Latencies since the previous call, also added to the total. */
    synchronized Histogram interval() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    /** Latencies of the whole run, up to the last {@link #interval()} call. */
    synchronized Histogram total() {
        return total.copy();
    }

    static double millis(long micros) {
        return micros / 1000.0;
    }
}
