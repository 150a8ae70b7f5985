package io.vitrine.loadtest.openloop;

import java.util.Locale;
import java.util.Map;

/**
 * One step of an open-loop run: {@code offered} requests per second for {@code seconds}, latency counted from each
 * request's intended send time (milliseconds).
 *
 * @param target      the target's name
 * @param offered     the fixed arrival rate, requests per second
 * @param seconds     how long requests were sent
 * @param sent        requests sent
 * @param ok          right answers (status 200 with the expected body)
 * @param errors      every other outcome by kind ({@code status 503}, {@code timeout}, {@code backlog}, ...)
 * @param answered    right answers per second, from the first intended send to the last answer
 * @param decideMicros the selector's mean time to encode and sample a decision in this step (NaN: not measured)
 * @param logMillis   the selector's mean wait for Kafka's acknowledgement of a decision in this step (NaN: none)
 */
public record StepResult(String target, int offered, double seconds, long sent, long ok, Map<String, Long> errors,
                         double answered, double p50, double p90, double p99, double p999, double max,
                         double decideMicros, double logMillis) {

    /** The same step with the selector's own times. */
    public StepResult withSelectorTimes(double decideMicros, double logMillis) {
        return new StepResult(target, offered, seconds, sent, ok, errors, answered, p50, p90, p99, p999, max,
                decideMicros, logMillis);
    }

    /** The step on one line, the target's name padded to {@code nameWidth}. */
    public String line(int nameWidth) {
        return String.format(Locale.ROOT, "%-" + nameWidth + "s offered %,6d/s answered %,8.0f/s  p50 %7.2f"
                        + "  p90 %7.2f  p99 %8.2f  p99.9 %8.2f  max %8.2f ms  errors %d%s", target, offered, answered,
                p50, p90, p99, p999, max, errorCount(), errors.isEmpty() ? "" : " " + errors);
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Whether the target kept up with the offered rate (no errors, at least 90% of it answered, p99 under a
     * second), so that a higher rate still says something; past it the latency is the backlog's.
     */
    public boolean keepsUp() {
        return errorCount() == 0 && answered >= 0.9 * offered && p99 < 1_000;
    }

    /** Whether the step held the goal: no errors and p99 at most {@code p99GoalMillis}. */
    public boolean holds(double p99GoalMillis) {
        return errorCount() == 0 && ok > 0 && p99 <= p99GoalMillis;
    }
}
