package io.vitrine.benchmarks;

import io.vitrine.core.policy.Choice;
import io.vitrine.core.policy.ThompsonSampler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;

import java.util.concurrent.TimeUnit;

/**
 * One decision as the selector makes it (encoder, then Thompson sampling with M propensity draws), and its
 * pieces: the encoder alone, the choice alone, the propensities alone. K = 20, d = 32, F = 16, k = 1 unless the
 * parameters {@code K} and {@code d} say otherwise (the growth runs pass {@code -p K=20,100,500 -p d=16,32,64}).
 * <p>
 * Each invocation takes the next of {@link Workload#REQUESTS} requests and the next seed, as consecutive
 * requests would. SampleTime gives the median and the tail (p99) of single invocations.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class DecisionBenchmark {

    /** The workload, shared by the benchmark threads (one by default). */
    @State(Scope.Benchmark)
    public static class Inputs {
        Workload workload;
        /** chooseIndices does not use M. */
        final ThompsonSampler choiceSampler = new ThompsonSampler(1);
        /** For propensitiesOnly any candidate will do: the cost does not depend on which one was chosen. */
        final int[] chosen = {3};

        /** The requests' features: standard normal, or uniform in [0, 1) (see {@link Workload}). */
        @Param({"gaussian", "uniform"})
        public String features;

        /** Candidates per request. One value by default, so that the runs of one shape stay short. */
        @Param({"20"})
        public int K;

        /** The encoder's embedding size. */
        @Param({"32"})
        public int d;

        @Setup(Level.Trial)
        public void setUp() {
            workload = new Workload(20261127L, features.equals("uniform"), K, d);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            workload.encoder.close();
        }
    }

    /** Which request and seed come next; one per thread. */
    @State(Scope.Thread)
    public static class Cursor {
        int request;
        long seed = 1;

        int next() {
            request = (request + 1) % Workload.REQUESTS;
            seed++;
            return request;
        }
    }

    /** M for the whole decision: 0 is the choice only, without propensities. */
    @State(Scope.Benchmark)
    public static class DecisionDraws {
        @Param({"0", "64", "256"})
        public int M;
        ThompsonSampler sampler;

        @Setup(Level.Trial)
        public void setUp() {
            sampler = new ThompsonSampler(Math.max(1, M));
        }
    }

    @State(Scope.Benchmark)
    public static class PropensityDraws {
        @Param({"64", "256"})
        public int M;
        ThompsonSampler sampler;

        @Setup(Level.Trial)
        public void setUp() {
            sampler = new ThompsonSampler(M);
        }
    }

    /** Encoder plus choice plus M propensity draws (M = 0: the choice only). */
    @Benchmark
    public Object decision(Inputs in, DecisionDraws draws, Cursor cursor) {
        Workload w = in.workload;
        int r = cursor.next();
        float[][] z = w.encoder.encode(w.contexts[r], w.candidates[r]);
        if (draws.M == 0) {
            return draws.sampler.chooseIndices(w.posterior, z, 1, cursor.seed);
        }
        Choice choice = draws.sampler.choose(w.posterior, z, 1, cursor.seed);
        return choice;
    }

    /** The encoder alone: K rows of context and candidate features to K embeddings. */
    @Benchmark
    public float[][] encodeOnly(Inputs in, Cursor cursor) {
        Workload w = in.workload;
        int r = cursor.next();
        return w.encoder.encode(w.contexts[r], w.candidates[r]);
    }

    /** The choice alone (one posterior draw, top 1) on precomputed embeddings. */
    @Benchmark
    public int[] choiceOnly(Inputs in, Cursor cursor) {
        Workload w = in.workload;
        int r = cursor.next();
        return in.choiceSampler.chooseIndices(w.posterior, w.embeddings[r], 1, cursor.seed);
    }

    /** The propensities alone, for a chosen candidate, on precomputed embeddings. */
    @Benchmark
    public double[] propensitiesOnly(Inputs in, PropensityDraws draws, Cursor cursor) {
        Workload w = in.workload;
        int r = cursor.next();
        return draws.sampler.propensities(w.posterior, w.embeddings[r], in.chosen, cursor.seed);
    }

    /**
     * The floor under the propensities: only what the generator does for M draws (one gamma variate and
     * {@value #NORMALS_PER_DRAW} normals each, the median rank of the uniform workload's requests), without any
     * arithmetic on them. Exact draws of M = 256 cannot cost less than this.
     */
    @Benchmark
    public double propensityGeneratorOnly(Inputs in, PropensityDraws draws, Cursor cursor) {
        cursor.next();
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(cursor.seed);
        ContinuousSampler gamma = in.workload.posterior.gammaSampler(rng);
        ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(rng);
        double sum = 0;
        for (int t = 0; t < draws.M; t++) {
            sum += gamma.sample();
            for (int j = 0; j < NORMALS_PER_DRAW; j++) {
                sum += gaussian.sample();
            }
        }
        return sum;
    }

    /** Normals per draw in {@link #propensityGeneratorOnly}: the uniform workload's requests have ranks 11 to 20. */
    static final int NORMALS_PER_DRAW = 15;
}
