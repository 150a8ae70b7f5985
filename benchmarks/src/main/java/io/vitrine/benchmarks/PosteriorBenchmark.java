package io.vitrine.benchmarks;

import io.vitrine.core.posterior.NigPrior;
import io.vitrine.core.posterior.NormalInverseGammaPosterior;
import io.vitrine.core.posterior.SufficientStatistics;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What the learner pays per reward (one rank-1 update of the d x d statistics) and per published snapshot
 * (the posterior from the statistics: a d x d Cholesky factorisation and two triangular solves). d = 32 unless
 * the parameter {@code d} says otherwise (the growth runs pass {@code -p d=16,32,64}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class PosteriorBenchmark {

    @State(Scope.Thread)
    public static class Statistics {
        /** The encoder's embedding size. One value by default, so that the runs of one shape stay short. */
        @Param({"32"})
        public int d;

        Workload workload;
        SufficientStatistics statistics;
        float[][] embeddings;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            workload = new Workload(20261127L, false, Workload.CANDIDATES, d);
            workload.encoder.close();
            statistics = workload.statistics.copy();
            embeddings = workload.embeddings[0];
        }
    }

    /** One reward: A += z z^T, b += r z, yy += r^2, n += 1 (O(d^2)). The statistics keep growing, as in the learner. */
    @Benchmark
    public SufficientStatistics update(Statistics s) {
        int i = s.next = (s.next + 1) % s.embeddings.length;
        s.statistics.update(s.embeddings[i], (i & 7) == 0 ? 1 : 0);
        return s.statistics;
    }

    /** One snapshot: Lambda = A + lambda I, its Cholesky factor (O(d^3)), mu, a and bn. */
    @Benchmark
    public NormalInverseGammaPosterior fromStatistics(Statistics s) {
        return NormalInverseGammaPosterior.fromStatistics(s.workload.statistics, NigPrior.DEFAULT);
    }
}
