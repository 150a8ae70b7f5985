package io.vitrine.loadtest.http;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vitrine.loadtest.openloop.OpenLoopStep;
import io.vitrine.loadtest.openloop.Progress;
import io.vitrine.loadtest.openloop.StepResult;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * An open-loop HTTP load generator: each step an {@link OpenLoopStep} (request i due at {@code start + i / rate},
 * latency from that intended time), its requests posted to the target.
 * <p>
 * The client is Vert.x's (Netty underneath, already in the services' stack): one event loop thread sends and reads
 * for all connections, so the generator takes little of the cores it shares with the services. wrk is closed
 * loop; wrk2, which is open loop, is not packaged here; Gatling would bring Scala and its own runner for what is one
 * loop over a pooled client.
 */
public final class OpenLoopHttp implements AutoCloseable {

    /** Answers still missing this long after the last send count as errors ({@code no answer}). */
    private static final Duration DRAIN = Duration.ofSeconds(15);

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

    /**
     * Posts {@code bodies.apply(i)} to the target at {@code rate} per second for {@code duration}, then waits for the
     * answers still out.
     */
    public StepResult run(Target target, int rate, Duration duration, LongFunction<byte[]> bodies, Progress progress)
            throws InterruptedException {
        OpenLoopStep step = new OpenLoopStep(target.name(), rate, duration, progress);
        AtomicLong inFlight = new AtomicLong();
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target.uri().toString())
                .putHeader("Content-Type", "application/json").setTimeout(DRAIN.toMillis());
        step.send(inFlight::get, maxInFlight, (i, intended) -> {
            inFlight.incrementAndGet();
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
                            step.ok(done - intended);
                        } else {
                            step.error(error);
                        }
                        step.answeredAt(done);
                        inFlight.decrementAndGet();
                    }));
        });
        long deadline = System.nanoTime() + DRAIN.toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return step.result(inFlight.get());
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
