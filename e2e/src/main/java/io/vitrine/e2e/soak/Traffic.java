package io.vitrine.e2e.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vitrine.avro.Click;
import io.vitrine.avro.Impression;
import io.vitrine.cli.http.EncoderInfo;
import io.vitrine.schemas.Topic;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The soak's audience, open loop at a fixed rate: decision requests over HTTP, spread over two selectors, and for
 * every decision answered 200 an impression of the chosen candidate and, a third of the time, a click inside the
 * attribution window, written to Kafka as a site's tracking would, each at the time it happens. Some clicks come
 * twice and some after the window: they must change nothing. Requests go only to selectors that are serving (not
 * killed and not yet ready again), as a load balancer with readiness probes would send them; a request the selector
 * could not answer (it was killed while answering, or did not log in time) is sent once more to the other selector
 * under a new request id. An unanswered request gets no events.
 *
 * <p>It records what the checks need: every request id answered 200 with its chosen candidate, every impression
 * with the reward it must give, and when each decision was answered, how long it took and when each event was
 * acknowledged (the plot's throughput and latency).
 */
final class Traffic {

    /**
     * One decision request's outcome: when it was sent (ms since the start), how long it took, whether it got 200, the
     * status (0 when no answer came: refused, reset or timed out on the client) and whether the answer was an RFC 9457
     * problem document whose {@code status} is the answer's.
     */
    record Sample(long sentAtMillis, long latencyMicros, boolean ok, int status, boolean problem) {
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final double CLICK_RATE = 0.35;
    private static final double DOUBLE_CLICK_RATE = 0.1;
    private static final double LATE_CLICK_RATE = 0.05;
    private static final int CANDIDATES = 5;

    private final SoakSettings settings;
    private final List<URI> selectors;
    private final IntPredicate serving;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final String prefix;
    private final EncoderInfo layout;
    private final long startNanos;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService clock = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "soak-traffic");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Every write to Kafka goes through this one thread: the producer's {@code send} blocks (up to its
     * {@code max.block.ms}) while it has no metadata for a partition, as after a broker restart, and must block neither
     * the request clock nor the HTTP client's threads, or the traffic would pause with the broker.
     */
    private final java.util.concurrent.ExecutorService writer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "soak-writer");
        thread.setDaemon(true);
        return thread;
    });

    private final Map<String, String> answered = new ConcurrentHashMap<>();
    private final Map<String, Boolean> expectedRewards = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> eventAcks = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger resent = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicReference<Exception> writeFailure = new AtomicReference<>();
    private volatile boolean stopped;
    private ScheduledFuture<?> ticking;

    /** @param serving whether the selector of that index is up and ready */
    Traffic(SoakSettings settings, List<URI> selectors, IntPredicate serving,
            KafkaProducer<String, SpecificRecord> producer, String prefix, EncoderInfo layout, long startNanos) {
        this.settings = settings;
        this.selectors = List.copyOf(selectors);
        this.serving = serving;
        this.producer = producer;
        this.prefix = prefix;
        this.layout = layout;
        this.startNanos = startNanos;
    }

    void start() {
        long period = 1_000_000L / settings.decisionsPerSecond();
        ticking = clock.scheduleAtFixedRate(this::requestOne, 0, period, TimeUnit.MICROSECONDS);
    }

    /** Stops sending requests, waits for the answers in flight and for every click still due, flushes the writes. */
    void stop() throws InterruptedException {
        stopped = true;
        ticking.cancel(false);
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.multipliedBy(3).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        clock.shutdown(); // delayed clicks still run
        if (!clock.awaitTermination(settings.window().toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("clicks still due 30 s after the traffic stopped");
        }
        writer.shutdown();
        if (!writer.awaitTermination(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("events still waiting for the producer 2 min after the traffic stopped");
        }
        producer.flush();
    }

    private void requestOne() {
        if (stopped) {
            return;
        }
        long n = sequence.getAndIncrement();
        decide(n, "soak-" + settings.seed() + "-" + n, choose((int) (n % selectors.size())), true);
    }

    private void decide(long n, String requestId, int selector, boolean firstAttempt) {
        // Seeded through SplittableRandom's mixing: java.util.Random's first draws of consecutive seeds are so alike
        // that nextInt(4) never gave one of the slots for 4,300 requests in a row.
        Random random = new Random(new java.util.SplittableRandom(settings.seed() * 1_000_003L + n).nextLong());
        String slot = "soak-slot-" + random.nextInt(settings.slots());
        byte[] body;
        try {
            body = json.writeValueAsBytes(request(requestId, slot, random));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(selectors.get(selector).resolve("/v1/decisions"))
                .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long sentAt = System.nanoTime();
        inFlight.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            try {
                long latency = (System.nanoTime() - sentAt) / 1_000;
                boolean ok = error == null && response.statusCode() == 200;
                int status = error == null ? response.statusCode() : 0;
                samples.add(new Sample((sentAt - startNanos) / 1_000_000, latency, ok, status,
                        status != 0 && isProblem(response, status)));
                if (ok) {
                    answered(requestId, response.body(), random);
                } else {
                    failed.incrementAndGet();
                    if (firstAttempt && !stopped) {
                        resent.incrementAndGet();
                        decide(n, requestId + "-again", choose((selector + 1) % selectors.size()), false);
                    }
                }
            } catch (Exception e) {
                writeFailure.compareAndSet(null, e);
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private boolean isProblem(HttpResponse<String> response, int status) {
        if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
            return false;
        }
        try {
            return json.readTree(response.body()).path("status").asInt() == status;
        } catch (Exception e) {
            return false;
        }
    }

    /** The preferred selector if it is serving, else the next one that is (or the preferred one if none is). */
    private int choose(int preferred) {
        for (int i = 0; i < selectors.size(); i++) {
            int candidate = (preferred + i) % selectors.size();
            if (serving.test(candidate)) {
                return candidate;
            }
        }
        return preferred;
    }

    private ObjectNode request(String requestId, String slot, Random random) {
        ObjectNode request = json.createObjectNode().put("requestId", requestId).put("slot", slot);
        ArrayNode context = request.putArray("context");
        for (int i = 0; i < layout.contextFeatures(); i++) {
            context.add((float) random.nextGaussian());
        }
        ArrayNode candidates = request.putArray("candidates");
        for (int c = 0; c < CANDIDATES; c++) {
            ObjectNode candidate = candidates.addObject().put("id", "img-" + c);
            ArrayNode features = candidate.putArray("features");
            Random fixed = new Random(31L * c + slot.hashCode()); // a candidate's features stay the same
            for (int i = 0; i < layout.candidateFeatures(); i++) {
                features.add((float) fixed.nextGaussian());
            }
        }
        return request;
    }

    /** The decision was logged and answered: show the chosen candidate now, click it later or not. */
    private void answered(String requestId, String body, Random random) throws Exception {
        JsonNode answer = json.readTree(body);
        String chosen = answer.path("chosen").path(0).path("candidateId").asText();
        answered.put(requestId, chosen);
        eventAcks.add(millisSinceStart());
        events.incrementAndGet();

        Instant shown = Instant.now();
        write(Topic.IMPRESSIONS, requestId, new Impression(requestId, chosen, shown), shown);
        boolean clicked = random.nextDouble() < CLICK_RATE;
        expectedRewards.put(requestId + "/" + chosen, clicked);
        if (clicked) {
            long after = 100 + random.nextInt(1_400); // well inside the window
            clickAt(requestId, chosen, shown.plusMillis(after));
            if (random.nextDouble() < DOUBLE_CLICK_RATE) {
                clickAt(requestId, chosen, shown.plusMillis(after + 150));
            }
        } else if (random.nextDouble() < LATE_CLICK_RATE) {
            clickAt(requestId, chosen, shown.plus(settings.window()).plusMillis(500));
        }
    }

    /** Writes the click when its time has come, stamped with that time, as a front end would. */
    private void clickAt(String requestId, String candidateId, Instant at) {
        clock.schedule(() -> write(Topic.CLICKS, requestId, new Click(requestId, candidateId, at, null), at),
                Math.max(0, Duration.between(Instant.now(), at).toMillis()), TimeUnit.MILLISECONDS);
    }

    private void write(Topic topic, String key, SpecificRecord value, Instant at) {
        writer.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic.name(prefix), null, at.toEpochMilli(), key, value),
                        (metadata, error) -> {
                            if (error != null) {
                                writeFailure.compareAndSet(null, error);
                            } else {
                                eventAcks.add(millisSinceStart());
                                events.incrementAndGet();
                            }
                        });
            } catch (RuntimeException e) {
                writeFailure.compareAndSet(null, e);
            }
        });
    }

    private long millisSinceStart() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Events acknowledged so far: decisions answered 200, impressions and clicks Kafka acknowledged. */
    int events() {
        return events.get();
    }

    int decisionsAnswered() {
        return answered.size();
    }

    /** Requests not answered 200 (refused connections of a killed selector, 503s). */
    int decisionsFailed() {
        return failed.get();
    }

    /** Requests sent again to the other selector after a failure. */
    int decisionsResent() {
        return resent.get();
    }

    /** The first failure to write an event or to read an answer, if any: the soak is then void. */
    Exception writeFailure() {
        return writeFailure.get();
    }

    /** Request id answered 200 -&gt; the candidate the answer chose. */
    Map<String, String> answered() {
        return Map.copyOf(answered);
    }

    /** requestId/candidateId of every impression written -&gt; whether its reward must be a click. */
    Map<String, Boolean> expectedRewards() {
        return Map.copyOf(expectedRewards);
    }

    List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** When each event was acknowledged, in ms since the start. */
    List<Long> eventAcks() {
        return new ArrayList<>(eventAcks);
    }
}
