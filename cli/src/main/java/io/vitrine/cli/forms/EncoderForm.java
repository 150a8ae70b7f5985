package io.vitrine.cli.forms;

/** What serves during an offline run of the demo's world: the built-in encoder throughout, or a trained form. */
public enum EncoderForm {
    /** The built-in random-feature encoder, never retrained ({@code ./vitrine demo --no-retrain}). */
    BUILT_IN,
    /** The trainer's default: {@code z = [1, x, x_c^T B x_a]} (BilinearTraining). */
    BILINEAR,
    /** The trainer's network form: the shared recipe's ReLU network, {@code z = [1, x, h]} (RewardNetworkTraining). */
    MLP
}
