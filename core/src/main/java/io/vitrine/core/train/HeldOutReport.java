package io.vitrine.core.train;

/**
 * How a trained reward network does on the newest rows of the log, which it was not trained on.
 *
 * @param rows         rows in the log
 * @param trainRows    rows the batches were drawn from (after the window)
 * @param heldOutRows  the newest rows, kept out of training; 0 when the recipe holds none out
 * @param steps        mini-batch steps taken
 * @param warmStarted  true when training started from the given serving network
 * @param meanReward   mean reward of the training rows: the best constant prediction
 * @param heldOutLoss  the network's mean loss on the held-out rows (log loss for the logistic loss, squared error
 *                     for the squared one); NaN without held-out rows
 * @param baselineLoss the same loss of the constant {@code meanReward} on the same rows; NaN without held-out rows
 * @param heldOutAuc   for 0/1 rewards, the probability that a held-out click scores above a held-out non-click (ties
 *                     count half; the constant scores 0.5); NaN for real-valued rewards or without both on held-out rows
 */
public record HeldOutReport(int rows, int trainRows, int heldOutRows, long steps, boolean warmStarted,
                            double meanReward, double heldOutLoss, double baselineLoss, double heldOutAuc) {

    /** True when the network's held-out loss is below the constant's. */
    public boolean beatsConstant() {
        return heldOutLoss < baselineLoss;
    }
}
