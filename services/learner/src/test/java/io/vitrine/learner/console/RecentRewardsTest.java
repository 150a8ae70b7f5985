package io.vitrine.learner.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vitrine.avro.Reward;
import io.vitrine.avro.RewardKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentRewardsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T23:00:00Z");

    @Test
    void secondsAreCountedPerSlotAndOlderOnesLeaveTheWindow() {
        RecentRewards recent = new RecentRewards(Duration.ofSeconds(10));
        recent.add(reward("s", "a", 0, true));
        recent.add(reward("s", "a", 0, false));
        recent.add(reward("s", "b", 5, false));
        recent.add(reward("other", "x", 5, true));

        RecentRewards.Slot slot = recent.slots().get(1);
        assertEquals("s", slot.slot());
        assertEquals(List.of(new RecentRewards.Second(T0.getEpochSecond(), 2, 1, 1.0),
                new RecentRewards.Second(T0.getEpochSecond() + 5, 1, 0, 0.0)), slot.seconds());

        recent.add(reward("s", "b", 12, false)); // second 0 is now more than 10 s before the newest
        recent.add(reward("s", "a", 1, true)); // and so is this late one: dropped
        List<Long> seconds = recent.slots().get(1).seconds().stream().map(RecentRewards.Second::epochSecond).toList();
        assertEquals(List.of(T0.getEpochSecond() + 5, T0.getEpochSecond() + 12), seconds);
        assertEquals(List.of(T0.getEpochSecond() + 5), recent.slots().get(0).seconds().stream()
                .map(RecentRewards.Second::epochSecond).toList(), "each slot has its own window");
    }

    @Test
    void candidatesAreCountedMostShownFirstWithTheirNewestEmbedding() {
        RecentRewards recent = new RecentRewards(Duration.ofMinutes(5));
        recent.add(reward("s", "b", 0, false));
        recent.add(reward("s", "a", 1, true));
        Reward newest = reward("s", "a", 2, false);
        newest.setEmbedding(List.of(3f, 4f));
        recent.add(newest);

        List<RecentRewards.Candidate> candidates = recent.slots().get(0).candidates();
        assertEquals(List.of("a", "b"), candidates.stream().map(RecentRewards.Candidate::id).toList());
        assertEquals(2, candidates.get(0).shown());
        assertEquals(1, candidates.get(0).clicks());
        assertEquals(3f, candidates.get(0).embedding()[0]);
    }

    private static Reward reward(String slot, String candidate, int second, boolean click) {
        Instant at = T0.plusSeconds(second);
        return Reward.newBuilder().setRequestId("r" + second).setCandidateId(candidate).setSlot(slot)
                .setScope(slot + "@enc").setEncoderVersion("enc").setReward(click ? 1 : 0)
                .setKind(click ? RewardKind.CLICK : RewardKind.NO_CLICK).setDecisionTimestamp(at)
                .setImpressionTimestamp(at).setPropensity(0.5).setEmbedding(List.of(1f, 0f))
                .setContext(List.of()).setCandidateFeatures(List.of()).build();
    }
}
