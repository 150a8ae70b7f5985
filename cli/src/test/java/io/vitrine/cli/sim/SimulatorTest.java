package io.vitrine.cli.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vitrine.world.ImageWorld;
import io.vitrine.world.Visitor;
import io.vitrine.world.WorldSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The simulator's bookkeeping, checked with in-process decision functions instead of the selector. */
class SimulatorTest {

    private static final String RUN = "test";
    private final ImageWorld world = ImageWorld.generate(new WorldSpec(4, 6, 8, 8, 42));

    private static SimulationSettings settings(long decisions, int buckets) {
        return new SimulationSettings(decisions, 4, buckets, 0, 42, Duration.ofMillis(1), Duration.ofMillis(5), RUN);
    }

    /** A decision function that sees the hidden world through the request id (test only). */
    private DecisionClient policy(Function<double[], Integer> choose) {
        return query -> {
            long index = Long.parseLong(query.requestId().substring(RUN.length() + 1));
            Visitor visitor = world.visitor(index);
            int chosen = choose.apply(world.clickProbabilities(visitor));
            return new DecisionAnswer(query.requestId(), "scope:" + query.slot(), 7,
                    List.of(new DecisionAnswer.Chosen(query.candidates().get(chosen).id(), 0, 1.0)));
        };
    }

    private SimulationReport run(DecisionClient client, EventSink sink, SimulationSettings settings)
            throws InterruptedException {
        return new Simulator(world, client, sink, settings, Progress.Listener.none()).run();
    }

    @Test
    void theOracleClosesTheWholeGap() throws Exception {
        SimulationReport report = run(policy(ImageWorld::best), new RecordingSink(), settings(4_000, 10));
        WindowStats total = report.total();
        assertEquals(4_000, total.decisions());
        assertEquals(total.oracleCtr(), total.expectedCtr(), 1e-9);
        assertEquals(1.0, total.bestShare(), 1e-12);
        assertEquals(1.0, total.gapClosed(), 1e-9);
        assertFalse(report.failed());
    }

    @Test
    void expectedCtrIsTheMeanProbabilityOfTheChoices() throws Exception {
        int n = 3_000;
        SimulationReport report = run(policy(p -> 0), new RecordingSink(), settings(n, 3));
        double expected = 0;
        double uniform = 0;
        double oracle = 0;
        for (long i = 0; i < n; i++) {
            double[] p = world.clickProbabilities(world.visitor(i));
            expected += p[0] / n;
            uniform += ImageWorld.mean(p) / n;
            oracle += ImageWorld.max(p) / n;
        }
        assertEquals(expected, report.total().expectedCtr(), 1e-9);
        assertEquals(uniform, report.total().uniformCtr(), 1e-9);
        assertEquals(oracle, report.total().oracleCtr(), 1e-9);
    }

    @Test
    void aRandomPolicyScoresLikeUniform() throws Exception {
        AtomicLong counter = new AtomicLong();
        DecisionClient random = policy(p -> new SplittableRandom(counter.incrementAndGet()).nextInt(p.length));
        SimulationReport report = run(random, new RecordingSink(), settings(20_000, 4));
        WindowStats total = report.total();
        assertEquals(total.uniformCtr(), total.expectedCtr(), 0.004);
        assertTrue(Math.abs(total.gapClosed()) < 0.05, "gap closed " + total.gapClosed());
        // Realized clicks follow the expected rate (sd of the mean is about 0.002 here).
        assertEquals(total.expectedCtr(), total.realizedCtr(), 0.01);
    }

    @Test
    void everyDecisionHasAnImpressionAndClicksFollowTheirImpression() throws Exception {
        RecordingSink sink = new RecordingSink();
        SimulationReport report = run(policy(ImageWorld::best), sink, settings(2_000, 5));
        assertEquals(2_000, sink.impressions.size());
        long clicks = Math.round(report.total().realizedCtr() * report.total().decisions());
        assertEquals(clicks, sink.clicks.size());
        Map<String, RecordingSink.Event> shown = sink.impressionList().stream()
                .collect(Collectors.toMap(RecordingSink.Event::requestId, e -> e));
        for (RecordingSink.Event click : sink.clicks) {
            RecordingSink.Event impression = shown.get(click.requestId());
            assertNotNull(impression, "a click always follows an impression");
            assertEquals(impression.candidateId(), click.candidateId());
            long delay = Duration.between(impression.timestamp(), click.timestamp()).toMillis();
            assertTrue(delay >= 1 && delay <= 5, "click delay " + delay);
        }
    }

    @Test
    void clicksAreReproducibleFromTheSeed() throws Exception {
        SimulationReport a = run(policy(ImageWorld::best), new RecordingSink(), settings(1_000, 2));
        SimulationReport b = run(policy(ImageWorld::best), new RecordingSink(), settings(1_000, 2));
        // Sums of doubles from several threads differ in the last bits only.
        assertEquals(a.total().decisions(), b.total().decisions());
        assertEquals(a.total().realizedCtr(), b.total().realizedCtr());
        assertEquals(a.total().expectedCtr(), b.total().expectedCtr(), 1e-12);
        for (int i = 0; i < a.buckets().size(); i++) {
            assertEquals(a.buckets().get(i).stats().realizedCtr(), b.buckets().get(i).stats().realizedCtr());
        }
    }

    @Test
    void bucketsSliceTheRunInOrderAndTheLastHalfIsTheirSecondHalf() throws Exception {
        SimulationReport report = run(policy(p -> 1), new RecordingSink(), settings(1_003, 10));
        assertEquals(10, report.buckets().size());
        long next = 0;
        long sum = 0;
        for (SimulationReport.Bucket bucket : report.buckets()) {
            assertEquals(next, bucket.from());
            assertEquals(bucket.to() - bucket.from(), bucket.stats().decisions());
            assertEquals(7, bucket.posteriorVersionMax());
            next = bucket.to();
            sum += bucket.stats().decisions();
        }
        assertEquals(1_003, next);
        assertEquals(1_003, sum);
        long secondHalf = report.buckets().subList(5, 10).stream().mapToLong(b -> b.stats().decisions()).sum();
        assertEquals(secondHalf, report.lastHalf().decisions());
        assertEquals(4, report.slots().size());
        report.slots().forEach(slot -> {
            assertEquals("scope:" + slot.slot(), slot.scope());
            assertEquals(slot.stats().decisions(), slot.choices().values().stream().mapToLong(Long::longValue).sum());
        });
    }

    @Test
    void failedRequestsAreCountedAndFailTheRunAboveOnePercent() throws Exception {
        DecisionClient oracle = policy(ImageWorld::best);
        DecisionClient flaky = query -> {
            if (query.requestId().endsWith("0")) {
                throw new DecisionException("POST /v1/decisions answered 503: Service Unavailable");
            }
            return oracle.decide(query);
        };
        SimulationReport report = run(flaky, new RecordingSink(), settings(1_000, 4));
        assertEquals(100, report.errors());
        assertEquals(900, report.decisionsMade());
        assertEquals(0.1, report.errorRate(), 1e-12);
        assertTrue(report.failed());
        assertEquals(List.of("POST /v1/decisions answered 503: Service Unavailable"), report.errorSamples());
        assertNull(report.abortReason());
    }

    @Test
    void aServiceThatIsDownStopsTheRunEarly() throws Exception {
        RecordingSink sink = new RecordingSink();
        SimulationReport report = run(query -> {
            throw new DecisionException("connection refused");
        }, sink, settings(100_000, 10));
        assertNotNull(report.abortReason());
        assertTrue(report.errors() < 1_000, "stopped after " + report.errors());
        assertEquals(0, report.decisionsMade());
        assertTrue(sink.impressions.isEmpty());
        assertTrue(report.failed());
    }

    @Test
    void anUnknownCandidateIsAnError() throws Exception {
        SimulationReport report = run(query -> new DecisionAnswer(query.requestId(), "s", 0,
                List.of(new DecisionAnswer.Chosen("not-offered", 0, 1))), new RecordingSink(), settings(60, 2));
        assertEquals(0, report.decisionsMade());
        assertTrue(report.errorSamples().get(0).contains("not-offered"));
    }

    @Test
    void pacingHoldsTheRate() throws Exception {
        SimulationSettings paced = settings(100, 1).withRate(1_000);
        long t0 = System.nanoTime();
        run(policy(ImageWorld::best), new RecordingSink(), paced);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.098, "100 decisions at 1000/s took " + seconds + " s");
    }
}
