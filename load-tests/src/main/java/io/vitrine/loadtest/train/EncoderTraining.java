package io.vitrine.loadtest.train;

import io.vitrine.core.bandit.NeuralLinearConfig;
import io.vitrine.core.train.Mlp;
import io.vitrine.core.train.MlpTrainer;
import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Trains the network the selector's policy trains online, offline on a whole reward log: the network's form
 * (hidden layers, wide z, initial weights), its loss and its optimiser (learning rate, decay, clipping, batch size)
 * come from a {@link NeuralLinearConfig}, so the exported encoder has the shape and scale the posteriors expect.
 * Only the schedule differs: the policy draws {@code trainSteps} batches every {@code trainEvery} rewards, here
 * every row is seen once per epoch, in shuffled batches, which uses a fixed log evenly.
 * <p>
 * A random tenth of the rows (at least one) is held out and never trained on. The held-out log loss is compared
 * with the best constant prediction, the training rows' click rate, measured on the same rows: a network that does
 * not beat it has learned nothing the posterior's intercept would not.
 */
final class EncoderTraining {

    /**
     * @param epochs          passes over the training rows
     * @param heldOutFraction share of rows kept for evaluation, in (0, 1)
     * @param seed            the split, the initial weights and the batch order
     */
    record Settings(NeuralLinearConfig config, int epochs, double heldOutFraction, long seed) {

        Settings {
            if (config.loss() != MlpTrainer.Loss.LOGISTIC) {
                throw new IllegalArgumentException("rewards are clicks: training needs the logistic loss, got "
                        + config.loss());
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
                throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + heldOutFraction);
            }
        }
    }

    /** The trained network and how it did. */
    record Result(Mlp network, Report report) {
    }

    /**
     * @param heldOutLoss  the network's mean log loss on the held-out rows
     * @param baselineLoss the mean log loss on the same rows of the training rows' click rate
     * @param heldOutAuc   the probability that a held-out click scores above a held-out non-click (ties count
     *                     half); the constant baseline ranks nothing and scores 0.5. NaN without both on held-out rows
     */
    record Report(int rows, int trainRows, int heldOutRows, int epochs, long steps, double clickRate,
                  double heldOutLoss, double baselineLoss, double heldOutAuc) {
    }

    /** At least this many rows, so that both parts of the split are more than a handful. */
    static final int MIN_ROWS = 20;

    private final Settings settings;
    private final ProgressLine progress;

    EncoderTraining(Settings settings, ProgressLine progress) {
        this.settings = settings;
        this.progress = progress;
    }

    Result train(TrainingData data) {
        int n = data.rows();
        if (n < MIN_ROWS) {
            throw new IllegalArgumentException("only " + n + " rewards; training needs at least " + MIN_ROWS
                    + " to hold out " + Math.round(100 * settings.heldOutFraction()) + "% for evaluation");
        }
        NeuralLinearConfig config = settings.config();
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(settings.seed());
        int[] order = shuffled(n, rng);
        int heldOut = (int) Math.max(1, Math.round(n * settings.heldOutFraction()));
        int[] test = Arrays.copyOfRange(order, 0, heldOut);
        int[] train = Arrays.copyOfRange(order, heldOut, n);

        Mlp mlp = Mlp.initialize(data.inputs()[0].length, config.hiddenLayers(), 1, config.wide(), config.initScale(),
                rng.nextLong());
        MlpTrainer trainer = new MlpTrainer(mlp, config.learningRate(), config.lrDecayRate(), config.maxGradNorm(),
                config.loss());
        // One head: every row's target is the reward of the candidate shown, as in the policy's SHARED scope.
        int[] heads = new int[n];
        int batchSize = config.batchSize();
        int[] full = new int[Math.min(batchSize, train.length)];
        long steps = 0;
        long stepsPerEpoch = (train.length + batchSize - 1) / batchSize;
        progress.always(String.format(Locale.ROOT, "training on %,d rows, %,d held out: %d epochs of %,d steps"
                        + " (hidden %s, wide %s, lr %s, batch %d)", train.length, heldOut, settings.epochs(),
                stepsPerEpoch, Arrays.toString(config.hiddenLayers()), config.wide(), config.learningRate(), batchSize));
        for (int epoch = 1; epoch <= settings.epochs(); epoch++) {
            shuffle(train, rng);
            double costSum = 0;
            int batches = 0;
            for (int from = 0; from < train.length; from += batchSize) {
                int size = Math.min(batchSize, train.length - from);
                int[] batch = size == full.length ? full : new int[size];
                System.arraycopy(train, from, batch, 0, size);
                costSum += trainer.step(data.inputs(), heads, data.targets(), batch);
                batches++;
                steps++;
                int e = epoch;
                long s = steps;
                double mean = costSum / batches;
                progress.maybe(() -> String.format(Locale.ROOT, "epoch %d/%d, step %,d/%,d, training loss %.4f", e,
                        settings.epochs(), s, stepsPerEpoch * settings.epochs(), mean));
            }
        }

        double rate = mean(data.targets(), train);
        float[][] testInputs = new float[heldOut][];
        double[] testTargets = new double[heldOut];
        double[] scores = new double[heldOut];
        double baseline = 0;
        for (int i = 0; i < heldOut; i++) {
            testInputs[i] = data.inputs()[test[i]];
            testTargets[i] = data.targets()[test[i]];
            scores[i] = mlp.predict(testInputs[i])[0];
            baseline += logLoss(rate, testTargets[i]);
        }
        double loss = trainer.loss(testInputs, new int[heldOut], testTargets);
        return new Result(mlp, new Report(n, train.length, heldOut, settings.epochs(), steps, rate, loss,
                baseline / heldOut, auc(scores, testTargets)));
    }

    /**
     * The Mann-Whitney statistic: the share of (click, non-click) pairs the scores order correctly, ties counting
     * half. Targets at or above 0.5 count as clicks.
     */
    static double auc(double[] scores, double[] targets) {
        int n = scores.length;
        Integer[] byScore = new Integer[n];
        for (int i = 0; i < n; i++) {
            byScore[i] = i;
        }
        Arrays.sort(byScore, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        long positives = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[byScore[j + 1]] == scores[byScore[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1; // ties share their mean rank
            for (int k = i; k <= j; k++) {
                if (targets[byScore[k]] >= 0.5) {
                    positiveRankSum += rank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (positiveRankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Cross-entropy of a constant p, kept off 0 and 1 so that a one-class training split stays finite. */
    private static double logLoss(double p, double y) {
        double q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
        return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }

    private static double mean(double[] values, int[] rows) {
        double sum = 0;
        for (int i : rows) {
            sum += values[i];
        }
        return sum / rows.length;
    }

    private static int[] shuffled(int n, UniformRandomProvider rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, rng);
        return order;
    }

    private static void shuffle(int[] values, UniformRandomProvider rng) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}
