package io.vitrine.loadtest.learner;

import java.time.Duration;

/** The learner load test's driver: steps of one rate and placement against a running learner. */
public final class LearnerLoad implements AutoCloseable {

    /** Progress of a step: its phase ({@code sending}, {@code draining}), elapsed seconds, done of total. */
    public interface Progress {
        void report(String placement, int rate, String phase, double seconds, long done, long total);
    }

    private static final int SLOTS = 4;

    private final RewardWatch watch;
    private final EventGenerator generator;
    private final long closeOffsetMillis;
    private final double clickShare;
    private int stepNumber;

    /**
     * @param windowAndLateness the learner's attribution window plus its allowed lateness: how long after an
     *                          impression its window closes by event time
     */
    public LearnerLoad(String bootstrap, String prefix, Duration windowAndLateness, double clickShare) {
        this.watch = new RewardWatch(bootstrap, prefix);
        // The demo's world: 6 candidates of 8 features, 8 context features, an embedding of 32.
        this.generator = new EventGenerator(bootstrap, prefix, new LoadEvents(SLOTS, 6, 8, 8, 32));
        this.closeOffsetMillis = EventGenerator.IMPRESSION_AFTER_MILLIS + windowAndLateness.toMillis();
        this.clickShare = clickShare;
    }

    public LearnerStepResult step(int rate, Duration length, Placement placement, Duration drain, Progress progress)
            throws InterruptedException {
        int step = ++stepNumber;
        long count = Math.max(1, rate * length.toMillis() / 1000);
        long start = System.currentTimeMillis() + 200;
        StepTally tally = new StepTally(step, start, rate, closeOffsetMillis);
        watch.watch(tally);
        progress.report(placement.label(), rate, "sending", length.toMillis() / 1000.0, count, count);
        EventGenerator.Sent sent = generator.run(step, start, rate, count, clickShare, placement);
        long sentAt = System.currentTimeMillis();
        long deadline = sentAt + closeOffsetMillis + drain.toMillis();
        while (!tally.await(count, Math.min(deadline, System.currentTimeMillis() + 5_000))
                && System.currentTimeMillis() < deadline) {
            watch.check();
            LearnerStepResult so = tally.result(placement.label(), rate, length.toMillis() / 1000.0, count,
                    sent.clicks(), sent.maxLagMillis());
            progress.report(placement.label(), rate, "draining", (System.currentTimeMillis() - sentAt) / 1000.0,
                    so.applied(), count);
        }
        watch.check();
        // A little longer, so that a doubled reward would show.
        Thread.sleep(1_000);
        return tally.result(placement.label(), rate, length.toMillis() / 1000.0, count, sent.clicks(),
                sent.maxLagMillis());
    }

    @Override
    public void close() throws InterruptedException {
        generator.close();
        watch.close();
    }
}
