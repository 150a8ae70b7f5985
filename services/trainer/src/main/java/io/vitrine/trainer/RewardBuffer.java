package io.vitrine.trainer;

import io.vitrine.avro.Reward;
import io.vitrine.core.train.RewardRows;
import io.vitrine.schemas.AvroArrays;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The newest rewards of the log, in log order, as training rows ({@code context ++ candidate features}, reward).
 * Rows must share one feature layout: the layout of the newest reward wins, and a reward of another layout empties
 * the buffer (an encoder change of layout starts a new training set). Thread-safe.
 */
final class RewardBuffer {

    private record Row(float[] context, float[] candidate, double reward, Instant at) {
    }

    /** What a training gets: the rows and the time range they cover. */
    record Snapshot(RewardRows rows, Instant from, Instant to, long total) {
    }

    private final int capacity;
    private final Deque<Row> rows = new ArrayDeque<>();
    private int contextFeatures = -1;
    private int candidateFeatures = -1;
    private long received;
    private long sinceTraining;
    private long dropped;

    RewardBuffer(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(Reward reward) {
        float[] context = AvroArrays.floats(reward.getContext());
        float[] candidate = AvroArrays.floats(reward.getCandidateFeatures());
        if (context.length + candidate.length == 0 || !Double.isFinite(reward.getReward())) {
            dropped++;
            return;
        }
        if (context.length != contextFeatures || candidate.length != candidateFeatures) {
            rows.clear();
            contextFeatures = context.length;
            candidateFeatures = candidate.length;
        }
        rows.addLast(new Row(context, candidate, reward.getReward(), reward.getImpressionTimestamp()));
        if (rows.size() > capacity) {
            rows.removeFirst();
        }
        received++;
        sinceTraining++;
    }

    /** The rows for a training, and from now on new rewards count towards the next one. */
    synchronized Snapshot take() {
        RewardRows out = new RewardRows(Math.max(contextFeatures, 0), Math.max(candidateFeatures, 0));
        for (Row row : rows) {
            out.add(row.context(), row.candidate(), row.reward());
        }
        sinceTraining = 0;
        return new Snapshot(out, rows.isEmpty() ? null : rows.getFirst().at(), rows.isEmpty() ? null
                : rows.getLast().at(), received);
    }

    synchronized int size() {
        return rows.size();
    }

    synchronized long sinceTraining() {
        return sinceTraining;
    }

    synchronized long received() {
        return received;
    }

    synchronized long dropped() {
        return dropped;
    }
}
