package io.vitrine.trainer;

import io.vitrine.avro.Candidate;
import io.vitrine.avro.Reward;
import io.vitrine.core.train.RewardRows;
import io.vitrine.evaluation.LoggedRound;
import io.vitrine.schemas.AvroArrays;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest rewards of the log, in log order, as training rows ({@code context ++ candidate features}, reward).
 * Rows must share one feature layout: the layout of the newest reward wins, and a reward of another layout empties
 * the buffer (an encoder change of layout starts a new training set). Thread-safe.
 */
final class RewardBuffer {

    /**
     * One reward as the trainer keeps it.
     *
     * @param learningKey the scope it was learned in, without the encoder version
     * @param round       the decision as an off-policy evaluation reads it, or null when the reward cannot be one
     *                    (written before rewards carried their candidates, a slate of several, a per-candidate scope)
     */
    record Row(String learningKey, float[] context, float[] candidate, double reward, Instant at, LoggedRound round) {
    }

    /** What a training gets: the rewards in log order and the time range they cover. */
    record Snapshot(List<Row> rows, int contextFeatures, int candidateFeatures, Instant from, Instant to) {

        /** Rows {@code [from, to)} as training rows. */
        RewardRows trainingRows(int from, int to) {
            RewardRows out = new RewardRows(contextFeatures, candidateFeatures);
            for (Row row : rows.subList(from, to)) {
                out.add(row.context(), row.candidate(), row.reward());
            }
            return out;
        }
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
        String learningKey = reward.getScope();
        rows.addLast(new Row(learningKey, context, candidate, reward.getReward(), reward.getImpressionTimestamp(),
                round(reward, learningKey, context)));
        if (rows.size() > capacity) {
            rows.removeFirst();
        }
        received++;
        sinceTraining++;
    }

    /** The decision of a reward as a logged round, or null when it cannot be evaluated off-policy. */
    private static LoggedRound round(Reward reward, String learningKey, float[] context) {
        List<Candidate> candidates = reward.getCandidates();
        if (reward.getK() != 1 || candidates.isEmpty() || learningKey.contains("#")
                || !(reward.getPropensity() > 0 && reward.getPropensity() <= 1)) {
            return null;
        }
        float[][] features = new float[candidates.size()][];
        int action = -1;
        for (int i = 0; i < features.length; i++) {
            features[i] = AvroArrays.floats(candidates.get(i).getFeatures());
            if (features[i].length != candidateFeatures(reward)) {
                return null;
            }
            if (candidates.get(i).getId().equals(reward.getCandidateId())) {
                action = i;
            }
        }
        return action < 0 ? null : new LoggedRound(context, features.length, action, reward.getReward(),
                reward.getPropensity(), learningKey, features);
    }

    private static int candidateFeatures(Reward reward) {
        return reward.getCandidateFeatures().size();
    }

    /** The rows for a training, and from now on new rewards count towards the next one. */
    synchronized Snapshot take() {
        sinceTraining = 0;
        return new Snapshot(new ArrayList<>(rows), Math.max(contextFeatures, 0), Math.max(candidateFeatures, 0),
                rows.isEmpty() ? null : rows.getFirst().at(), rows.isEmpty() ? null : rows.getLast().at());
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
