package io.vitrine.loadtest.http;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP load generator: request i of a step is due at {@code start + i / rate}, is sent then whatever
 * the earlier ones did, and its latency counts from that intended time, so a stall of the server shows in full in
 * the percentiles instead of slowing the generator down (coordinated omission). Latencies go to an HdrHistogram.
 * <p>
 * The client is Vert.x's (Netty underneath, already in the services' stack): one event loop thread sends and reads
 * for all connections, so the generator takes little of the cores it shares with the services. wrk is closed
 * loop; wrk2, which is open loop, is not packaged here; Gatling would bring Scala and its own runner for what is one
 * loop over a pooled client.
 */
public final class OpenLoopHttp implements AutoCloseable {

    /** Answers still missing this long after the last send count as errors ({@code no answer}). */
    private static final Duration DRAIN = Duration.ofSeconds(15);
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);

    private final Vertx vertx;
    private final HttpClient client;
    private final io.vertx.core.Context context;
    private final int maxInFlight;
    private final java.util.Set<String> reported = ConcurrentHashMap.newKeySet();

    /**
     * @param connections HTTP/1.1 keep-alive connections at most; requests beyond them wait in the client's queue,
     *                    their latency still counted from their intended time
     * @param maxInFlight requests sent and not answered at most; a request due beyond it is not sent and counts as
     *                    an error ({@code backlog}): the server has already fallen hopelessly behind
     */
    public OpenLoopHttp(int connections, int maxInFlight) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout(5_000), new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        this.context = vertx.getOrCreateContext();
        this.maxInFlight = maxInFlight;
    }

    /** Progress of a running step, about once a second. */
    public interface Progress {
        void update(String target, int rate, double elapsedSeconds, double totalSeconds, long ok, long errors);
    }

    /**
     * Posts {@code bodies.apply(i)} to the target at {@code rate} per second for {@code duration}, then waits for the
     * answers still out.
     */
    public StepResult run(Target target, int rate, Duration duration, LongFunction<byte[]> bodies, Progress progress)
            throws InterruptedException {
        long count = Math.max(1, Math.round(rate * (duration.toNanos() / 1e9)));
        double period = 1e9 / rate;
        Histogram latency = new ConcurrentHistogram(1, HIGHEST_MICROS, 3);
        LongAdder ok = new LongAdder();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        AtomicLong inFlight = new AtomicLong();
        AtomicLong lastAnswer = new AtomicLong();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target.uri().toString())
                .putHeader("Content-Type", "application/json").setTimeout(DRAIN.toMillis());
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long nextProgress = start + TimeUnit.SECONDS.toNanos(1);
        long sent = 0;
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
                progress.update(target.name(), rate, (now - start) / 1e9, duration.toNanos() / 1e9, ok.sum(),
                        sum(errors));
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
            if (inFlight.get() >= maxInFlight) {
                errors.computeIfAbsent("backlog", k -> new LongAdder()).increment();
                continue;
            }
            inFlight.incrementAndGet();
            sent++;
            Buffer body = Buffer.buffer(bodies.apply(i));
            // Everything from the request on runs on the client's event loop: a listener attached from this thread
            // after the response had already arrived would ask for a body that is gone, and read it as empty.
            context.runOnContext(onLoop -> client.request(request)
                    .compose(req -> req.send(body))
                    .compose(resp -> resp.body().map(answer -> check(target, resp, answer)))
                    .onComplete(outcome -> {
                        long done = System.nanoTime();
                        String error = outcome.succeeded() ? outcome.result() : failure(outcome.cause());
                        if (error == null) {
                            latency.recordValue(Math.min(HIGHEST_MICROS, Math.max(1, (done - intended) / 1_000)));
                            ok.increment();
                        } else {
                            errors.computeIfAbsent(error, k -> new LongAdder()).increment();
                        }
                        lastAnswer.accumulateAndGet(done, Math::max);
                        inFlight.decrementAndGet();
                    }));
        }
        long deadline = System.nanoTime() + DRAIN.toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        long missing = inFlight.get();
        Map<String, Long> counted = new TreeMap<>();
        errors.forEach((kind, n) -> counted.put(kind, n.sum()));
        if (missing > 0) {
            counted.merge("no answer", missing, Long::sum);
        }
        long okCount = ok.sum();
        double span = Math.max(1e-9, (Math.max(lastAnswer.get(), start + (long) (count * period)) - start) / 1e9);
        progress.update(target.name(), rate, duration.toNanos() / 1e9, duration.toNanos() / 1e9, okCount,
                counted.values().stream().mapToLong(Long::longValue).sum());
        return new StepResult(target.name(), rate, duration.toNanos() / 1e9, sent, okCount, counted, okCount / span,
                millis(latency, 50), millis(latency, 90), millis(latency, 99), millis(latency, 99.9),
                okCount == 0 ? Double.NaN : latency.getMaxValue() / 1_000.0, Double.NaN, Double.NaN);
    }

    /** Null for a right answer, else the kind of error; the first wrong answer of each kind is printed. */
    private String check(Target target, io.vertx.core.http.HttpClientResponse response, Buffer answer) {
        int status = response.statusCode();
        if (status == 200 && answer.toString().contains(target.expected())) {
            return null;
        }
        String kind = "status " + status + (status == 200 ? " (unexpected body)" : "");
        if (reported.add(target.name() + kind)) {
            System.err.println(target.name() + ": first answer with " + kind + ": " + response.headers().entries()
                    + " " + answer);
        }
        return kind;
    }

    private static double millis(Histogram latency, double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1_000.0;
    }

    private static long sum(Map<String, LongAdder> errors) {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    private static String failure(Throwable cause) {
        String name = cause.getClass().getSimpleName();
        return name.contains("Timeout") ? "timeout" : name;
    }

    @Override
    public void close() {
        client.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
    }
}
