package io.vitrine.world;

/**
 * A kind of slot: how much the visitor matters there, and where its images' click logits sit.
 *
 * @param contextWeight the slot's weight {@code w} of the visitor term in the click logit (0: the visitor does not
 *                      matter, large: the best image depends on the visitor)
 * @param intercept     how the images' hidden intercepts are drawn
 */
public record SlotKind(double contextWeight, Intercept intercept) {

    public SlotKind {
        if (!(contextWeight >= 0) || intercept == null) {
            throw new IllegalArgumentException("need a non-negative context weight and an intercept distribution");
        }
    }
}
