package io.vitrine.cli.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a simulation measured; written as JSON and summarised as a table.
 *
 * @param runId              prefix of the request ids
 * @param seed               seed of the visitors and clicks
 * @param decisionsRequested decisions the run was asked to make
 * @param decisionsMade      decisions answered successfully
 * @param errors             failed decision requests
 * @param errorRate          errors over attempts
 * @param eventFailures      impressions and clicks that could not be written
 * @param durationSeconds    wall time of the decision loop
 * @param decisionsPerSecond answered decisions per second
 * @param latencyMillis      decision round trip as seen by the client
 * @param total              figures over the whole run
 * @param lastHalf           figures over the second half of the run (after the loop had time to learn)
 * @param buckets            figures per consecutive slice of the run
 * @param slots              figures per slot
 * @param errorSamples       the first distinct error messages
 * @param abortReason        why the run stopped early, or null
 */
public record SimulationReport(String runId, long seed, long decisionsRequested, long decisionsMade, long errors,
                               double errorRate, long eventFailures, double durationSeconds,
                               double decisionsPerSecond, Latency latencyMillis, WindowStats total,
                               WindowStats lastHalf, List<Bucket> buckets, List<SlotReport> slots,
                               List<String> errorSamples, String abortReason) {

    /** Largest error rate a run may have and still pass. */
    public static final double MAX_ERROR_RATE = 0.01;

    public SimulationReport {
        buckets = List.copyOf(buckets);
        slots = List.copyOf(slots);
        errorSamples = List.copyOf(errorSamples);
    }

    /** True when too many requests or events failed or the run stopped early. */
    public boolean failed() {
        return abortReason != null || decisionsMade == 0 || errorRate > MAX_ERROR_RATE
                || eventFailures > MAX_ERROR_RATE * Math.max(1, decisionsMade);
    }

    /** Client-side latency percentiles in milliseconds. */
    public record Latency(double p50, double p90, double p99, double p999, double max, double mean) {
    }

    /**
     * One consecutive slice of the run, by decision index.
     *
     * @param index                bucket number from 0
     * @param from                 first decision index (inclusive)
     * @param to                   last decision index (exclusive)
     * @param stats                figures of the slice
     * @param posteriorVersionMax  newest posterior version the selector used in the slice
     */
    public record Bucket(int index, long from, long to, WindowStats stats, long posteriorVersionMax) {
    }

    /**
     * One slot.
     *
     * @param slot    slot name
     * @param scope   posterior scope the selector reported for it
     * @param stats   figures of the whole run for this slot
     * @param choices how often each candidate was chosen
     */
    public record SlotReport(String slot, String scope, WindowStats stats, Map<String, Long> choices) {

        public SlotReport {
            choices = Collections.unmodifiableMap(new LinkedHashMap<>(choices));
        }
    }
}
