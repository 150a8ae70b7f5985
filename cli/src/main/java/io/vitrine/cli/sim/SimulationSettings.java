package io.vitrine.cli.sim;

import java.time.Duration;

/**
 * How a simulation runs.
 *
 * @param decisions      number of decisions to ask for
 * @param concurrency    requests in flight at once (one worker thread each)
 * @param buckets        number of consecutive slices of the run reported separately, so that learning shows
 * @param ratePerSecond  pace of the requests; 0 for as fast as the service answers
 * @param seed           seed of the visitors and the clicks
 * @param clickDelayMin  smallest delay between an impression and its click
 * @param clickDelayMax  largest delay; must stay inside the learner's attribution window
 * @param runId          prefix of the request ids, unique per run so runs never collide on a long-lived broker
 */
public record SimulationSettings(long decisions, int concurrency, int buckets, double ratePerSecond, long seed,
                                 Duration clickDelayMin, Duration clickDelayMax, String runId) {

    public SimulationSettings {
        if (decisions < 1) {
            throw new IllegalArgumentException("decisions must be positive");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be positive");
        }
        if (buckets < 1 || buckets > decisions) {
            throw new IllegalArgumentException("buckets must be between 1 and the number of decisions");
        }
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative");
        }
        if (clickDelayMin.isNegative() || clickDelayMax.compareTo(clickDelayMin) < 0) {
            throw new IllegalArgumentException("need 0 <= click delay min <= max");
        }
    }

    /**
     * Defaults for a learner with the given attribution window: clicks 50-300 ms after the impression,
     * shortened so that the latest click stays well inside the window.
     */
    public static SimulationSettings of(long decisions, int concurrency, long seed, Duration attributionWindow) {
        Duration max = Duration.ofMillis(Math.min(300, attributionWindow.toMillis() / 2));
        Duration min = Duration.ofMillis(Math.min(50, max.toMillis()));
        return new SimulationSettings(decisions, concurrency, (int) Math.min(10, decisions), 0, seed, min, max,
                newRunId());
    }

    public SimulationSettings withBuckets(int buckets) {
        return new SimulationSettings(decisions, concurrency, buckets, ratePerSecond, seed, clickDelayMin,
                clickDelayMax, runId);
    }

    public SimulationSettings withRate(double ratePerSecond) {
        return new SimulationSettings(decisions, concurrency, buckets, ratePerSecond, seed, clickDelayMin,
                clickDelayMax, runId);
    }

    /** A short id unique enough to tell runs apart on a shared broker. */
    public static String newRunId() {
        return "sim-" + Long.toString(System.currentTimeMillis(), 36)
                + Integer.toString(java.util.concurrent.ThreadLocalRandom.current().nextInt(36 * 36), 36);
    }
}
