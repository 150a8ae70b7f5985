package io.vitrine.loadtest.openloop;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * One step of an open-loop load test, whatever carries the requests: request i is due at {@code start + i / rate}, is
 * sent then whatever the earlier ones did, and its latency counts from that intended time, so that a stall of the
 * target shows in full in the percentiles instead of slowing the generator down (coordinated omission). Latencies go
 * to an HdrHistogram. The transport sends, and reports each answer here from whatever thread reads it.
 */
public final class OpenLoopStep {

    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);

    /** Sends request {@code i}, due at {@code intendedNanos} ({@link System#nanoTime()}). */
    public interface Sender {
        void send(long i, long intendedNanos);
    }

    private final String target;
    private final int rate;
    private final Duration duration;
    private final Progress progress;
    private final long count;
    private final double period;
    private final Histogram latency = new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
    private final LongAdder ok = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong lastAnswer = new AtomicLong();
    private long start;
    private long sent;

    public OpenLoopStep(String target, int rate, Duration duration, Progress progress) {
        this.target = target;
        this.rate = rate;
        this.duration = duration;
        this.progress = progress;
        this.count = Math.max(1, Math.round(rate * (duration.toNanos() / 1e9)));
        this.period = 1e9 / rate;
    }

    /**
     * Sends the step's requests, each at its intended time; one due while {@code maxInFlight} are {@code outstanding}
     * is not sent and counts as an error ({@code backlog}): the target has already fallen hopelessly behind.
     */
    public void send(LongSupplier outstanding, int maxInFlight, Sender sender) {
        start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long nextProgress = start + TimeUnit.SECONDS.toNanos(1);
        for (long i = 0; i < count; i++) {
            long intended = start + (long) (i * period);
            long now = System.nanoTime();
            if (intended > now) {
                // Parks rather than spins: the generator shares the cores with the services. A late wake-up only
                // adds to the measured latency, never hides it.
                LockSupport.parkNanos(intended - now);
                now = System.nanoTime();
            }
            if (now >= nextProgress) {
                progress.update(target, rate, (now - start) / 1e9, duration.toNanos() / 1e9, ok.sum(),
                        errors.values().stream().mapToLong(LongAdder::sum).sum());
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
            if (outstanding.getAsLong() >= maxInFlight) {
                error("backlog");
                continue;
            }
            sent++;
            sender.send(i, intended);
        }
    }

    /** When the step's last request was due ({@link System#nanoTime()}). */
    public long end() {
        return start + (long) (count * period);
    }

    /** A right answer, {@code latencyNanos} after its request's intended time. */
    public void ok(long latencyNanos) {
        latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, latencyNanos / 1_000)));
        ok.increment();
    }

    /** Any other outcome of a request, by kind. */
    public void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** An answer, right or wrong, arrived at {@code nanos}: the answered rate counts to the last one. */
    public void answeredAt(long nanos) {
        lastAnswer.accumulateAndGet(nanos, Math::max);
    }

    /** The step's result once its answers are in; {@code missing} requests are still unanswered ({@code no answer}). */
    public StepResult result(long missing) {
        Map<String, Long> counted = new TreeMap<>();
        errors.forEach((kind, n) -> counted.put(kind, n.sum()));
        if (missing > 0) {
            counted.merge("no answer", missing, Long::sum);
        }
        long okCount = ok.sum();
        double span = Math.max(1e-9, (Math.max(lastAnswer.get(), end()) - start) / 1e9);
        double seconds = duration.toNanos() / 1e9;
        progress.update(target, rate, seconds, seconds, okCount,
                counted.values().stream().mapToLong(Long::longValue).sum());
        return new StepResult(target, rate, seconds, sent, okCount, counted, okCount / span,
                millis(50), millis(90), millis(99), millis(99.9),
                okCount == 0 ? Double.NaN : latency.getMaxValue() / 1_000.0, Double.NaN, Double.NaN);
    }

    private double millis(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1_000.0;
    }
}
