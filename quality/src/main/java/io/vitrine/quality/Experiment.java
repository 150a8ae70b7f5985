package io.vitrine.quality;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
            long doneCost = 0;
            long totalCost = tasks.stream().mapToLong(Experiment::cost).sum();
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
                doneCost += cost(tasks.get(finished.index()));
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
                // Remaining time in proportion to the rounds still to play, as measured so far.
                Duration remaining = Duration.ofNanos((long) (elapsed.toNanos()
                        * ((double) (totalCost - doneCost) / Math.max(1, doneCost))));
                listener.finished(finished.result(), done, tasks.size(), elapsed, remaining);
            }
            return List.of(results);
        } finally {
            executor.shutdownNow();
        }
    }

    /** A rough cost: rounds times arms would need the environment; rounds are enough to order and estimate. */
    private static long cost(Task task) {
        return task.rounds();
    }

    private record Indexed(int index, RunResult result) {
    }
}
