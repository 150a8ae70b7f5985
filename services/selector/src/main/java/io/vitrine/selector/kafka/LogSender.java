package io.vitrine.selector.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Runs a log's {@code KafkaProducer.send} calls on one thread of its own, in the order they come, and gives up a send
 * whose log timeout ran out while it waited for that thread.
 *
 * <p>{@code send} blocks (up to {@code max.block.ms}, a little less than the log timeout) while the producer has no metadata for the
 * topic, as when the broker is away or has just come back. Called on the HTTP request's worker thread it would hold
 * one worker per request for the whole timeout; with a broker away for longer than that, every worker soon waits and
 * further requests queue for a worker, beyond their own timeout (the broker-loss test saw answers after more than 10 s
 * with a 5 s log timeout). Here the request's thread never waits for Kafka: its answer waits at most the log timeout
 * for the acknowledgement, and a send still queued when that time is up is not made at all (its request has been
 * answered 503). When the producer has its metadata, {@code send} only serializes and appends to a batch, which one
 * thread does far faster than requests arrive.
 */
public final class LogSender implements AutoCloseable {

    private final Duration timeout;
    private final String setting;
    private final ExecutorService thread;

    /**
     * @param name    the thread's name
     * @param timeout how long a send may wait for the thread (the log timeout)
     * @param setting the setting that holds the timeout, for messages
     */
    public LogSender(String name, Duration timeout, String setting) {
        this.timeout = timeout;
        this.setting = setting;
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread sender = new Thread(runnable, name);
            // The answer is completed on this thread: it needs the application's class loader (JAX-RS lookups).
            sender.setContextClassLoader(LogSender.class.getClassLoader());
            sender.setDaemon(true);
            return sender;
        });
    }

    /** The log timeout of producer settings made by {@link LogProducerSettings} (their {@code delivery.timeout.ms}). */
    public static Duration timeoutOf(Map<String, Object> producerConfig) {
        Object delivery = producerConfig.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG);
        return Duration.ofMillis(delivery == null ? 120_000 : Long.parseLong(String.valueOf(delivery).trim()));
    }

    /**
     * Runs {@code send} on the sender thread unless the timeout has passed by then; the result completes as the
     * future {@code send} returns does, or with a {@link TimeoutException} when the send was given up.
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> send) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                if (System.nanoTime() - deadline >= 0) {
                    result.completeExceptionally(new TimeoutException("not sent: waited " + setting + " (" + timeout
                            + ") for the Kafka producer, which was waiting for the broker's metadata"));
                    return;
                }
                try {
                    send.get().whenComplete((value, error) -> {
                        if (error != null) {
                            result.completeExceptionally(error);
                        } else {
                            result.complete(value);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the log is closed", e));
        }
        return result;
    }

    /** Lets the sends already queued run (each gives up once its timeout is past), then stops the thread. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(timeout.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
