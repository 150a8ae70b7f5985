package io.vitrine.loadtest.http;

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
 */
public record StepResult(String target, int offered, double seconds, long sent, long ok, Map<String, Long> errors,
                         double answered, double p50, double p90, double p99, double p999, double max) {

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether the step held the goal: no errors and p99 at most {@code p99GoalMillis}. */
    public boolean holds(double p99GoalMillis) {
        return errorCount() == 0 && ok > 0 && p99 <= p99GoalMillis;
    }
}
