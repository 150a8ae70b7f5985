package io.vitrine.cli.sim;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe sums behind a {@link WindowStats}. */
final class Tally {

    private final LongAdder decisions = new LongAdder();
    private final DoubleAdder expected = new DoubleAdder();
    private final LongAdder clicks = new LongAdder();
    private final DoubleAdder uniform = new DoubleAdder();
    private final DoubleAdder oracle = new DoubleAdder();
    private final LongAdder best = new LongAdder();
    private final LongAccumulator posteriorVersionMax = new LongAccumulator(Math::max, 0);

    void add(double pChosen, boolean clicked, double pUniform, double pOracle, boolean chosenBest,
             long posteriorVersion) {
        decisions.increment();
        expected.add(pChosen);
        if (clicked) {
            clicks.increment();
        }
        uniform.add(pUniform);
        oracle.add(pOracle);
        if (chosenBest) {
            best.increment();
        }
        posteriorVersionMax.accumulate(posteriorVersion);
    }

    long decisions() {
        return decisions.sum();
    }

    long posteriorVersionMax() {
        return posteriorVersionMax.get();
    }

    WindowStats stats() {
        return WindowStats.of(decisions.sum(), expected.sum(), clicks.sum(), uniform.sum(), oracle.sum(), best.sum());
    }

    /** The figures of several tallies together. */
    static WindowStats merged(Iterable<Tally> tallies) {
        long n = 0;
        double e = 0;
        long c = 0;
        double u = 0;
        double o = 0;
        long b = 0;
        for (Tally t : tallies) {
            n += t.decisions.sum();
            e += t.expected.sum();
            c += t.clicks.sum();
            u += t.uniform.sum();
            o += t.oracle.sum();
            b += t.best.sum();
        }
        return WindowStats.of(n, e, c, u, o, b);
    }
}
