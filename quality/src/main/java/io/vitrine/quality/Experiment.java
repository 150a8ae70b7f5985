package io.vitrine.quality;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs many tasks on a fixed pool of threads; each run stays single-threaded, so results do not depend on it. */
public final class Experiment {

    /** Told about every finished run, from the calling thread. */
    @FunctionalInterface
    public interface Listener {
        void finished(RunResult result, int done, int total, Duration elapsed, Duration remaining);
    }

    private Experiment() {
    }

    /**
     * Runs every task and returns the results in task order. The first failure cancels the rest and is
     * rethrown with the task it came from.
     */
    public static List<RunResult> run(List<Task> tasks, int threads, Listener listener) throws InterruptedException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1");
        }
        long start = System.nanoTime();
        ExecutorService executor = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "quality-run");
            thread.setDaemon(true);
            return thread;
        });
        try {
            CompletionService<Indexed> completion = new ExecutorCompletionService<>(executor);
            // Costly runs first, so the pool does not end with one long run and an idle core.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                order.add(i);
            }
            order.sort((a, b) -> Long.compare(cost(tasks.get(b)), cost(tasks.get(a))));
            List<Future<Indexed>> futures = new ArrayList<>();
            for (int i : order) {
                Task task = tasks.get(i);
                futures.add(completion.submit(() -> {
                    try {
                        return new Indexed(i, Harness.run(task));
                    } catch (RuntimeException | Error e) {
                        throw new IllegalStateException(task.label() + ": " + e, e);
                    }
                }));
            }
            RunResult[] results = new RunResult[tasks.size()];
            boolean[] finishedTasks = new boolean[tasks.size()];
            // Milliseconds per round, per policy, measured so far: the basis of the time still needed.
            Map<String, double[]> speed = new HashMap<>();
            for (int done = 1; done <= tasks.size(); done++) {
                Indexed finished;
                try {
                    finished = completion.take().get();
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new IllegalStateException(cause.getMessage(), cause);
                }
                results[finished.index()] = finished.result();
                finishedTasks[finished.index()] = true;
                double[] s = speed.computeIfAbsent(finished.result().policy(), k -> new double[2]);
                s[0] += finished.result().millis();
                s[1] += finished.result().rounds();
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                listener.finished(finished.result(), done, tasks.size(), elapsed,
                        remaining(tasks, finishedTasks, speed, threads));
            }
            return List.of(results);
        } finally {
            executor.shutdownNow();
        }
    }

    /** Rounds: enough to put the long runs first. */
    private static long cost(Task task) {
        return task.rounds();
    }

    /**
     * Time still needed: unfinished rounds at each policy's measured speed (the mean speed of all runs for a
     * policy not measured yet), shared by the threads. Runs in progress count in full: an upper bound.
     */
    private static Duration remaining(List<Task> tasks, boolean[] finished, Map<String, double[]> speed, int threads) {
        double allMillis = 0;
        double allRounds = 0;
        for (double[] s : speed.values()) {
            allMillis += s[0];
            allRounds += s[1];
        }
        double fallback = allRounds > 0 ? allMillis / allRounds : 0;
        double millis = 0;
        for (int i = 0; i < tasks.size(); i++) {
            if (!finished[i]) {
                double[] s = speed.get(tasks.get(i).policy().name());
                millis += tasks.get(i).rounds() * (s != null && s[1] > 0 ? s[0] / s[1] : fallback);
            }
        }
        return Duration.ofMillis((long) (millis / threads));
    }

    private record Indexed(int index, RunResult result) {
    }
}
