package io.vitrine.learner.console;

import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rewards of the last few minutes, per slot and per second of their impression, and per candidate: what the
 * console draws. Bounded: seconds older than the window are dropped as new ones arrive, and a slot keeps at most
 * {@value #MAX_CANDIDATES} candidates (the most shown), counted since the
 * learner started reading.
 */
public final class RecentRewards {

    static final int MAX_CANDIDATES = 50;

    /** One second of a slot's rewards. */
    public record Second(long epochSecond, int rewards, int clicks, double rewardSum) {
    }

    /** A candidate of a slot in the window: how often it was shown, clicked, and the embedding it was last learned with. */
    public record Candidate(String id, int shown, int clicks, String scope, float[] embedding) {
    }

    /** A slot's window: its seconds in order, its candidates, the scope (encoder version) of its newest reward. */
    public record Slot(String slot, String scope, String encoderVersion, List<Second> seconds,
                       List<Candidate> candidates) {
    }

    private final long windowSeconds;
    private final Map<String, SlotWindow> slots = new HashMap<>();

    public RecentRewards(Duration window) {
        this.windowSeconds = window.toSeconds();
    }

    public synchronized void add(Reward reward) {
        long second = reward.getImpressionTimestamp().getEpochSecond();
        SlotWindow window = slots.computeIfAbsent(reward.getSlot(), s -> new SlotWindow());
        if (second <= window.newest - windowSeconds) {
            return; // older than anything the console draws (e.g. history read at start)
        }
        boolean click = reward.getKind() == RewardKind.CLICK;
        window.seconds.merge(second, new Second(second, 1, click ? 1 : 0, reward.getReward()),
                (a, b) -> new Second(second, a.rewards() + 1, a.clicks() + b.clicks(), a.rewardSum() + b.rewardSum()));
        if (second >= window.newest) {
            window.newest = second;
            window.scope = reward.getScope();
            window.encoderVersion = reward.getEncoderVersion();
            window.seconds.headMap(second - windowSeconds, true).clear();
        }
        float[] embedding = new float[reward.getEmbedding().size()];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = reward.getEmbedding().get(i);
        }
        window.candidates.merge(reward.getCandidateId(),
                new Candidate(reward.getCandidateId(), 1, click ? 1 : 0, reward.getScope(), embedding),
                (a, b) -> new Candidate(a.id(), a.shown() + 1, a.clicks() + b.clicks(), b.scope(), b.embedding()));
        if (window.candidates.size() > MAX_CANDIDATES) {
            window.candidates.values().stream().min((a, b) -> Integer.compare(a.shown(), b.shown()))
                    .ifPresent(least -> window.candidates.remove(least.id()));
        }
    }

    /** Every slot's window, by slot name. */
    public synchronized List<Slot> slots() {
        List<Slot> result = new ArrayList<>();
        new TreeMap<>(slots).forEach((name, window) -> result.add(new Slot(name, window.scope,
                window.encoderVersion, List.copyOf(window.seconds.values()),
                window.candidates.values().stream()
                        .sorted((a, b) -> Integer.compare(b.shown(), a.shown())).toList())));
        return result;
    }

    /** Wall-clock independent: the window follows the newest impression second of each slot. */
    private static final class SlotWindow {
        final TreeMap<Long, Second> seconds = new TreeMap<>();
        final Map<String, Candidate> candidates = new HashMap<>();
        long newest = Long.MIN_VALUE / 2;
        String scope;
        String encoderVersion;
    }

}
