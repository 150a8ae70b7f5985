package io.vitrine.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * A fixed number of threads for independent tasks (the reward models' fits), with each task's result in the
 * tasks' order. A task computes alone from inputs no other task writes, so the results are the same, bit for bit,
 * whatever the number of threads; one thread runs the tasks on the caller's thread.
 */
final class Workers implements AutoCloseable {

    private final ExecutorService pool;

    /** @param threads how many tasks run at once, at least 1 */
    Workers(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("at least 1 thread is needed, got " + threads);
        }
        pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, task -> {
            Thread thread = new Thread(task, "reward-model-fit");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** As many threads as the machine has processors for this JVM. */
    static int available() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The results of {@code task(0) .. task(count - 1)}, by index. */
    <T> List<T> map(int count, IntFunction<T> task) {
        List<T> results = new ArrayList<>(count);
        if (pool == null) {
            for (int i = 0; i < count; i++) {
                results.add(task.apply(i));
            }
            return results;
        }
        List<Callable<T>> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            tasks.add(() -> task.apply(index));
        }
        try {
            for (Future<T> future : pool.invokeAll(tasks)) {
                results.add(future.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fitting the reward models", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
        return results;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
