package io.vitrine.cli.forms;

/**
 * What serves during an offline run of the demo's world: the built-in encoder throughout, a trained form, or the
 * ceiling of them all.
 */
public enum EncoderForm {
    /** The built-in random-feature encoder, never retrained ({@code ./vitrine demo --no-retrain}). */
    BUILT_IN,
    /** The trainer's default: {@code z = [1, x, x_c^T B x_a]} (BilinearTraining). */
    BILINEAR,
    /** The trainer's network form: the shared recipe's ReLU network, {@code z = [1, x, h]} (RewardNetworkTraining). */
    MLP,
    /**
     * {@code z = [1, x, g(x_c)^T B h(x_a)]}: the bilinear score bent by a one-hidden-layer tower on each side,
     * started from the bilinear fit (TwoTowerTraining).
     */
    TWO_TOWER,
    /**
     * Not a form the trainer fits but the ceiling of every form: {@code z = [1, p]} with p the click probability
     * the world itself predicts from the context the encoder sees ({@code ImageWorld#expectedClickProbability}),
     * the best any encoder could compute. Each slot's posterior only has to learn p's weight.
     */
    ORACLE;

    /** Whether the run retrains it every {@code --retrain-every} rewards. */
    public boolean trained() {
        return this == BILINEAR || this == MLP || this == TWO_TOWER;
    }
}
