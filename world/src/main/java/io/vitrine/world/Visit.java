package io.vitrine.world;

import java.util.List;

/**
 * One visit of a world played in order.
 *
 * @param visitor            who comes, and to which slot
 * @param offered            the candidates offered, drawn from the slot's pool at the time
 * @param clickProbabilities the hidden click probability of every offered candidate
 * @param clickDraw          a uniform draw in [0, 1): candidate {@code a} is clicked if it is below
 *                           {@code clickProbabilities[a]}. One draw for all, so the click does not depend on which
 *                           candidate a policy picks.
 */
public record Visit(Visitor visitor, List<Image> offered, double[] clickProbabilities, double clickDraw) {

    public Visit {
        offered = List.copyOf(offered);
    }

    /** Whether candidate {@code a} is clicked if shown. */
    public boolean clicked(int a) {
        return clickDraw < clickProbabilities[a];
    }
}
