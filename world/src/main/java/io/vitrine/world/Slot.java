package io.vitrine.world;

import java.util.List;

/**
 * A place where one of several images is shown.
 *
 * @param name          slot name sent to Vitrine, e.g. {@code hotel-1/hero}
 * @param candidates    the competing images
 * @param contextWeight how much the visitor changes the click probability (0: not at all)
 */
public record Slot(String name, List<Image> candidates, double contextWeight) {

    public Slot {
        candidates = List.copyOf(candidates);
    }

    /** Index of a candidate id in this slot, or -1. */
    public int indexOf(String candidateId) {
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).id().equals(candidateId)) {
                return i;
            }
        }
        return -1;
    }
}
