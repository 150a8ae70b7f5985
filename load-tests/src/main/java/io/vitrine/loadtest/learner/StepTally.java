package io.vitrine.loadtest.learner;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What the learner made of one step's requests, as seen by a read-committed consumer of the rewards and posteriors
 * topics: when each reward arrived against the time its attribution window closed, and when each reward was in a
 * published posterior of its scope. Fed by the consumer thread, read by the driver.
 */
final class StepTally {

    private static final long MAX_MILLIS = 600_000;

    private final int step;
    private final long startMillis;
    private final double rate;
    private final long closeOffsetMillis;
    private final Histogram rewardDelay = new Histogram(MAX_MILLIS, 3);
    private final Histogram posteriorDelay = new Histogram(MAX_MILLIS, 3);
    private final Histogram clickDelay = new Histogram(MAX_MILLIS, 3);
    /** A reward read but not yet in a published posterior: when it was read, and its click's time (-1: none). */
    private record Unapplied(long receivedAt, long clickedAt) {
    }

    private final Map<String, ArrayDeque<Unapplied>> unappliedByScope = new HashMap<>();
    private final Map<String, Long> receivedByScope = new HashMap<>();
    private final Map<String, Long> appliedByScope = new HashMap<>();
    private long rewards;
    private long applied;
    private long duplicates;
    private long firstReward = Long.MAX_VALUE;
    private long lastReward;
    private final java.util.BitSet seen = new java.util.BitSet();

    /**
     * @param closeOffsetMillis from a request's intended time to the end of its attribution window plus the
     *                          allowed lateness: the earliest its reward can be emitted
     */
    StepTally(int step, long startMillis, double rate, long closeOffsetMillis) {
        this.step = step;
        this.startMillis = startMillis;
        this.rate = rate;
        this.closeOffsetMillis = closeOffsetMillis;
    }

    int step() {
        return step;
    }

    /**
     * @param click whether the reward is a click's: its delay to a published posterior is also counted from the
     *              click's intended send time
     */
    synchronized void onReward(long index, String scope, boolean click, long receivedAt) {
        if (seen.get((int) index)) {
            duplicates++;
            return;
        }
        seen.set((int) index);
        rewards++;
        firstReward = Math.min(firstReward, receivedAt);
        lastReward = Math.max(lastReward, receivedAt);
        long intended = startMillis + Math.round(index * 1000 / rate);
        rewardDelay.recordValue(clamp(receivedAt - intended - closeOffsetMillis));
        long clickedAt = click ? intended + EventGenerator.CLICK_AFTER_MILLIS : -1;
        long ordinal = receivedByScope.merge(scope, 1L, Long::sum);
        if (ordinal <= appliedByScope.getOrDefault(scope, 0L)) {
            // Its posterior was read before the reward itself (two topics, fetched separately): applied at once.
            posteriorDelay.recordValue(0);
            if (click) {
                clickDelay.recordValue(clamp(receivedAt - clickedAt));
            }
            applied++;
        } else {
            unappliedByScope.computeIfAbsent(scope, s -> new ArrayDeque<>()).add(new Unapplied(receivedAt, clickedAt));
        }
        notifyAll();
    }

    /** A published posterior of a scope of this step, holding its first {@code version} rewards. */
    synchronized void onPosterior(String scope, long version, long receivedAt) {
        long before = appliedByScope.getOrDefault(scope, 0L);
        if (version <= before) {
            return;
        }
        appliedByScope.put(scope, version);
        ArrayDeque<Unapplied> waiting = unappliedByScope.getOrDefault(scope, new ArrayDeque<>());
        long received = receivedByScope.getOrDefault(scope, 0L);
        // The waiting rewards are this scope's ordinals (received - waiting.size(), received]: apply those <= version.
        long next = received - waiting.size() + 1;
        while (!waiting.isEmpty() && next <= version) {
            Unapplied reward = waiting.poll();
            posteriorDelay.recordValue(clamp(receivedAt - reward.receivedAt()));
            if (reward.clickedAt() >= 0) {
                clickDelay.recordValue(clamp(receivedAt - reward.clickedAt()));
            }
            applied++;
            next++;
        }
        notifyAll();
    }

    /** Waits until {@code expected} rewards have arrived and are in published posteriors, or the deadline. */
    synchronized boolean await(long expected, long deadlineMillis) throws InterruptedException {
        while (applied < expected) {
            long left = deadlineMillis - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(Math.min(left, 200));
        }
        return true;
    }

    synchronized LearnerStepResult result(String placement, int offered, double seconds, long requests, long clicks,
                                          double maxSendLagMillis) {
        double span = (lastReward - firstReward) / 1000.0;
        return new LearnerStepResult(placement, offered, seconds, requests, clicks, rewards, duplicates, applied,
                span > 0 ? (rewards - 1) / span : Double.NaN,
                percentile(rewardDelay, 50), percentile(rewardDelay, 99), max(rewardDelay),
                percentile(posteriorDelay, 50), percentile(posteriorDelay, 99), max(posteriorDelay),
                percentile(clickDelay, 50), percentile(clickDelay, 99), max(clickDelay), maxSendLagMillis);
    }

    private static double percentile(Histogram h, double p) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(p);
    }

    private static double max(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue();
    }

    private static long clamp(long millis) {
        return Math.max(0, Math.min(MAX_MILLIS, millis));
    }
}
