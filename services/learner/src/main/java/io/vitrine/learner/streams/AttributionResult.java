package io.vitrine.learner.streams;

import io.vitrine.avro.DeadLetter;
import io.vitrine.avro.Reward;

/** What the attribution join emits: a reward for the rewards topic, or a rejected event for the dead letters. */
sealed interface AttributionResult {

    record Rewarded(Reward reward) implements AttributionResult {
    }

    record Rejected(DeadLetter letter) implements AttributionResult {
    }
}
