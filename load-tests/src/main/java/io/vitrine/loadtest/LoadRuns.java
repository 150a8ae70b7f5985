package io.vitrine.loadtest;

import io.vitrine.loadtest.openloop.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the load commands do alike around their steps. */
final class LoadRuns {

    private LoadRuns() {
    }

    /** One step of a target at a rate. */
    interface Step<T> {
        /** Runs the step; false when the target is to leave the search. */
        boolean run(T target, int rate) throws Exception;
    }

    /**
     * Steps the targets up through the rates (ascending): rate by rate, each target in turn, so that all see the
     * machine as it is at that moment. A target leaves at its first step that says so; the search ends when none is
     * left or the rates are done.
     */
    static <T> void alternate(List<T> targets, List<Integer> rates, Step<T> step) throws Exception {
        List<T> searching = new ArrayList<>(targets);
        for (int rate : rates) {
            for (T target : List.copyOf(searching)) {
                if (!step.run(target, rate)) {
                    searching.remove(target);
                }
            }
            if (searching.isEmpty()) {
                break;
            }
        }
    }

    /** The machine a run was measured on, as the reports name it. */
    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.version");
    }

    /** Whether a target has no step, or had errors or no right answer in its first. */
    static boolean failedAtTheStart(List<String> targets, List<StepResult> steps) {
        return targets.stream().anyMatch(target -> steps.stream().filter(s -> s.target().equals(target)).findFirst()
                .map(s -> s.errorCount() > 0 || s.ok() == 0).orElse(true));
    }

    /** Adds a target's p50 and p99 against the offered rate to a chart's series, named {@code label} p50 and p99. */
    static void latencies(Map<String, double[][]> series, String label, String target, List<StepResult> steps) {
        List<StepResult> of = steps.stream().filter(s -> s.target().equals(target)).toList();
        double[] x = of.stream().mapToDouble(StepResult::offered).toArray();
        series.put(label + " p50", new double[][] {x, of.stream().mapToDouble(StepResult::p50).toArray()});
        series.put(label + " p99", new double[][] {x, of.stream().mapToDouble(StepResult::p99).toArray()});
    }
}
