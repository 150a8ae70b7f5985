package io.vitrine.loadtest.train;

/**
 * Training rows read from the reward log: {@code inputs[i] = concat(context, candidate features)} of reward i and
 * {@code targets[i]} its reward. The arrays are shared, not copied: a log holds up to millions of rows, and the
 * only reader, {@link EncoderTraining}, does not write them.
 *
 * @param contextFeatures   Fc, the same in every row
 * @param candidateFeatures Fa, the same in every row
 */
record TrainingData(int contextFeatures, int candidateFeatures, float[][] inputs, double[] targets) {

    TrainingData {
        if (inputs.length != targets.length) {
            throw new IllegalArgumentException(inputs.length + " input rows but " + targets.length + " targets");
        }
    }

    int rows() {
        return inputs.length;
    }
}
