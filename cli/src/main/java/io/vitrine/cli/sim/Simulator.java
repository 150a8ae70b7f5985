package io.vitrine.cli.sim;

import io.vitrine.world.ImageWorld;
import io.vitrine.world.Image;
import io.vitrine.world.Slot;
import io.vitrine.world.Visitor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Plays visitors against Vitrine: for each of N decisions it draws a visitor, asks for a decision,
 * reports the impression of the chosen candidate, and a click with the hidden probability a little
 * later, as a browser would. It measures what the choices are worth against the uniform policy and
 * the oracle, slice by slice, so that learning over time shows.
 *
 * <p>Visitors and clicks are pure functions of the seed and the decision index; only the answers of
 * Vitrine (and the time they take) vary between runs.
 */
public final class Simulator {

    private static final long CLICK_STREAM = 0xC11C4L;
    private static final int ERROR_SAMPLES = 5;
    /** Stop early once this many requests failed and they are most of the attempts: the service is down. */
    private static final int ABORT_AFTER_ERRORS = 50;
    /** Stop early after this many failures in a row: the service went away during the run. */
    private static final int ABORT_AFTER_CONSECUTIVE_ERRORS = 200;

    private final ImageWorld world;
    private final DecisionClient client;
    private final EventSink events;
    private final SimulationSettings settings;
    private final Progress.Listener listener;
    private final Clock clock;

    private final AtomicLong next = new AtomicLong();
    private final Tally[] buckets;
    private final Tally[] slots;
    private final Map<String, LongAdder>[] choices;
    private final Map<Integer, String> scopes = new ConcurrentHashMap<>();
    private final AtomicReference<Tally> recent = new AtomicReference<>(new Tally());
    private final Latencies latencies = new Latencies();
    private final LongAdder errors = new LongAdder();
    private final AtomicLong consecutiveErrors = new AtomicLong();
    private final Set<String> errorSamples = ConcurrentHashMap.newKeySet();
    private final AtomicReference<String> abortReason = new AtomicReference<>();

    public Simulator(ImageWorld world, DecisionClient client, EventSink events, SimulationSettings settings,
                     Progress.Listener listener, Clock clock) {
        this.world = world;
        this.client = client;
        this.events = events;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.buckets = newTallies(settings.buckets());
        this.slots = newTallies(world.slots().size());
        @SuppressWarnings("unchecked")
        Map<String, LongAdder>[] perSlot = new Map[world.slots().size()];
        for (int s = 0; s < perSlot.length; s++) {
            Map<String, LongAdder> counts = new LinkedHashMap<>();
            for (Image image : world.slot(s).candidates()) {
                counts.put(image.id(), new LongAdder());
            }
            perSlot[s] = counts;
        }
        this.choices = perSlot;
    }

    public Simulator(ImageWorld world, DecisionClient client, EventSink events, SimulationSettings settings,
                     Progress.Listener listener) {
        this(world, client, events, settings, listener, Clock.systemUTC());
    }

    private static Tally[] newTallies(int n) {
        Tally[] tallies = new Tally[n];
        for (int i = 0; i < n; i++) {
            tallies[i] = new Tally();
        }
        return tallies;
    }

    /** Runs the whole simulation; returns when every decision is made and every event written. */
    public SimulationReport run() throws InterruptedException {
        ExecutorService workers = Executors.newFixedThreadPool(settings.concurrency(), named("vitrine-sim"));
        ScheduledThreadPoolExecutor clicks = new ScheduledThreadPoolExecutor(1, named("vitrine-clicks"));
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(named("vitrine-progress"));
        long start = System.nanoTime();
        ProgressClock progressClock = new ProgressClock(start);
        long end;
        try {
            ticker.scheduleAtFixedRate(() -> listener.update(progressClock.look(false)), 1, 1, TimeUnit.SECONDS);
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < settings.concurrency(); w++) {
                running.add(workers.submit(() -> work(start, clicks)));
            }
            for (Future<?> future : running) {
                try {
                    future.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    abortReason.compareAndSet(null, "worker failed: " + e.getCause());
                }
            }
            end = System.nanoTime();
            // Clicks still waiting for their delay are sent now, then everything is flushed.
            clicks.shutdown();
            clicks.awaitTermination(1, TimeUnit.MINUTES);
            events.flush();
        } finally {
            workers.shutdownNow();
            clicks.shutdownNow();
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
        listener.finish(progressClock.look(true));
        return report((end - start) / 1e9);
    }

    private void work(long start, ScheduledExecutorService clicks) {
        long i;
        while (abortReason.get() == null && (i = next.getAndIncrement()) < settings.decisions()) {
            pace(start, i);
            decideOnce(i, clicks);
        }
    }

    private void pace(long start, long index) {
        if (settings.ratePerSecond() <= 0) {
            return;
        }
        long due = start + (long) (index * 1e9 / settings.ratePerSecond());
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private void decideOnce(long index, ScheduledExecutorService clicks) {
        Visitor visitor = world.visitor(index);
        Slot slot = world.slot(visitor.slot());
        double[] p = world.clickProbabilities(visitor);
        String requestId = settings.runId() + "-" + index;
        List<DecisionQuery.CandidateFeatures> candidates = new ArrayList<>(p.length);
        for (Image image : slot.candidates()) {
            candidates.add(new DecisionQuery.CandidateFeatures(image.id(), image.features()));
        }
        DecisionQuery query = new DecisionQuery(requestId, slot.name(), visitor.context(), candidates, 1);

        long t0 = System.nanoTime();
        DecisionAnswer answer;
        try {
            answer = client.decide(query);
        } catch (DecisionException e) {
            failed(e.getMessage());
            return;
        } catch (RuntimeException e) {
            failed(e.toString());
            return;
        }
        latencies.record((System.nanoTime() - t0) / 1000);
        consecutiveErrors.set(0);
        if (answer.chosen().isEmpty()) {
            failed("no candidate chosen for slot " + slot.name());
            return;
        }
        String chosenId = answer.chosen().get(0).candidateId();
        int chosen = slot.indexOf(chosenId);
        if (chosen < 0) {
            failed("chosen candidate " + chosenId + " is not one of slot " + slot.name());
            return;
        }

        Instant shown = clock.instant();
        events.impression(requestId, chosenId, shown);
        SplittableRandom coin = new SplittableRandom(ImageWorld.mix(settings.seed() ^ CLICK_STREAM, index));
        boolean clicked = coin.nextDouble() < p[chosen];
        if (clicked) {
            long min = settings.clickDelayMin().toMillis();
            long delay = min + coin.nextLong(settings.clickDelayMax().toMillis() - min + 1);
            Instant at = shown.plusMillis(delay);
            clicks.schedule(() -> events.click(requestId, chosenId, at), delay, TimeUnit.MILLISECONDS);
        }

        double uniform = ImageWorld.mean(p);
        double oracle = ImageWorld.max(p);
        // Ties count as best: several candidates can share the top probability.
        boolean best = p[chosen] >= oracle;
        int bucket = (int) (index * settings.buckets() / settings.decisions());
        buckets[bucket].add(p[chosen], clicked, uniform, oracle, best, answer.posteriorVersion());
        slots[visitor.slot()].add(p[chosen], clicked, uniform, oracle, best, answer.posteriorVersion());
        recent.get().add(p[chosen], clicked, uniform, oracle, best, answer.posteriorVersion());
        choices[visitor.slot()].get(chosenId).increment();
        if (answer.scope() != null) {
            scopes.putIfAbsent(visitor.slot(), answer.scope());
        }
    }

    private void failed(String message) {
        errors.increment();
        if (errorSamples.size() < ERROR_SAMPLES) {
            errorSamples.add(message);
        }
        long failed = errors.sum();
        long answered = answered();
        long inARow = consecutiveErrors.incrementAndGet();
        if ((failed >= ABORT_AFTER_ERRORS && failed > answered) || inARow >= ABORT_AFTER_CONSECUTIVE_ERRORS) {
            abortReason.compareAndSet(null, "stopped after " + failed + " failed requests out of "
                    + (failed + answered) + "; last error: " + message);
        }
    }

    private long answered() {
        long n = 0;
        for (Tally t : buckets) {
            n += t.decisions();
        }
        return n;
    }

    private long posteriorVersionMax() {
        long max = 0;
        for (Tally t : buckets) {
            max = Math.max(max, t.posteriorVersionMax());
        }
        return max;
    }

    private SimulationReport report(double seconds) {
        long made = answered();
        long failed = errors.sum();
        long attempts = made + failed;
        Histogram h = latencies.total();
        SimulationReport.Latency latency = new SimulationReport.Latency(
                Latencies.millis(h.getValueAtPercentile(50)), Latencies.millis(h.getValueAtPercentile(90)),
                Latencies.millis(h.getValueAtPercentile(99)), Latencies.millis(h.getValueAtPercentile(99.9)),
                Latencies.millis(h.getMaxValue()), h.getTotalCount() == 0 ? 0 : h.getMean() / 1000.0);

        List<SimulationReport.Bucket> bucketReports = new ArrayList<>();
        long decisions = settings.decisions();
        int n = settings.buckets();
        for (int b = 0; b < n; b++) {
            long from = ceilDiv(b * decisions, n);
            long to = ceilDiv((b + 1) * decisions, n);
            bucketReports.add(new SimulationReport.Bucket(b, from, to, buckets[b].stats(),
                    buckets[b].posteriorVersionMax()));
        }
        List<Tally> secondHalf = new ArrayList<>();
        for (int b = n / 2; b < n; b++) {
            secondHalf.add(buckets[b]);
        }
        List<SimulationReport.SlotReport> slotReports = new ArrayList<>();
        for (int s = 0; s < slots.length; s++) {
            Map<String, Long> counts = new LinkedHashMap<>();
            choices[s].forEach((id, count) -> counts.put(id, count.sum()));
            slotReports.add(new SimulationReport.SlotReport(world.slot(s).name(), scopes.get(s), slots[s].stats(),
                    counts));
        }
        List<String> samples = new ArrayList<>(errorSamples);
        events.firstFailure().ifPresent(f -> samples.add("event write failed: " + f));
        return new SimulationReport(settings.runId(), settings.seed(), decisions, made, failed,
                attempts == 0 ? 0 : (double) failed / attempts, events.failures(), seconds,
                seconds > 0 ? made / seconds : 0, latency, Tally.merged(List.of(buckets)),
                Tally.merged(secondHalf), bucketReports, slotReports, samples, abortReason.get());
    }

    /** Bucket {@code b} holds the indexes {@code i} with {@code i * n / decisions == b}. */
    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Builds progress looks; used by the ticker thread, then once by the caller. */
    private final class ProgressClock {

        private final long start;
        private long previousTime;
        private long previousDone;

        ProgressClock(long start) {
            this.start = start;
            this.previousTime = start;
        }

        /** A look since the previous one, or for the whole run when {@code last}. */
        synchronized Progress look(boolean last) {
            long now = System.nanoTime();
            long done = answered();
            Tally sinceBefore = recent.getAndSet(new Tally());
            Histogram latency = latencies.interval();
            WindowStats overall = Tally.merged(List.of(buckets));
            long from = last ? start : previousTime;
            double seconds = (now - from) / 1e9;
            double rate = seconds > 0 ? (done - (last ? 0 : previousDone)) / seconds : 0;
            if (last) {
                latency = latencies.total();
            }
            previousTime = now;
            previousDone = done;
            double p99 = latency.getTotalCount() == 0 ? 0 : Latencies.millis(latency.getValueAtPercentile(99));
            return new Progress((now - start) / 1e9, done, settings.decisions(), errors.sum(), rate, overall,
                    last ? overall : sinceBefore.stats(), p99, posteriorVersionMax());
        }
    }
}
