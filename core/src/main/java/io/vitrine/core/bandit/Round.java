package io.vitrine.core.bandit;

import java.util.List;

/** One decision to make: the context and the arms available now (they may change between rounds). */
public record Round(float[] context, List<Arm> arms) {
    public Round {
        arms = List.copyOf(arms);
        if (arms.isEmpty()) {
            throw new IllegalArgumentException("a round needs at least one arm");
        }
    }
}
