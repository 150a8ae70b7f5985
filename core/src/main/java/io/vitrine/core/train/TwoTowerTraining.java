package io.vitrine.core.train;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Fits a {@link TwoTowerEncoder} to a click log: a logistic regression of the click on {@code [1, x]} plus the
 * two-tower score {@code g(x_c)^T B h(x_a)}, with L2 on every weight but the intercept and the towers' inner layers.
 * It starts from the exact bilinear fit ({@link BilinearTraining} on the same rows and penalty, towers at the
 * identity), takes full-batch Adam steps on the older rows and keeps the iterate with the lowest log loss on the
 * newest {@code heldOutFraction} of them (checked every {@code checkEvery} steps, stopping after {@code patience}
 * checks without a better one). If no step beats the start on those rows, the result is the bilinear encoder itself.
 *
 * <p>Full batches and a seeded initialisation of the inner layers make the result a function of the rows and the
 * seed. Adam is written here, as {@link MlpTrainer}'s RMSProp is, because it is a few lines over a flat parameter
 * vector and the libraries that ship it would bring a tensor framework for a model of a few hundred weights.
 */
public final class TwoTowerTraining {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    /**
     * @param contextHidden   hidden units of the context tower g (0: the identity)
     * @param candidateHidden hidden units of the candidate tower h (0: the identity)
     * @param penalty         L2 penalty, in units of rows, on the feature weights, B and the towers' output layers
     * @param heldOutFraction the newest share of rows kept out of the fit: the early stopping's and the report's
     * @param learningRate    Adam's step size
     * @param maxIterations   full-batch steps at most
     * @param checkEvery      steps between two held-out checks
     * @param patience        checks without a better held-out loss before stopping
     * @param seed            seeds the towers' inner layers
     */
    public record Settings(int contextHidden, int candidateHidden, double penalty, double heldOutFraction,
                           double learningRate, int maxIterations, int checkEvery, int patience, long seed) {

        public Settings {
            if (contextHidden < 0 || candidateHidden < 0) {
                throw new IllegalArgumentException("hidden units must be >= 0, got " + contextHidden + " and "
                        + candidateHidden);
            }
            if (!(penalty > 0) || Double.isInfinite(penalty)) {
                throw new IllegalArgumentException("penalty must be a finite number > 0, got " + penalty);
            }
            if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
                throw new IllegalArgumentException("heldOutFraction must be in (0, 1): the early stopping needs"
                        + " held-out rows, got " + heldOutFraction);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learningRate must be a finite number > 0, got " + learningRate);
            }
            if (maxIterations < 0 || checkEvery < 1 || patience < 1) {
                throw new IllegalArgumentException("need maxIterations >= 0, checkEvery >= 1 and patience >= 1, got "
                        + maxIterations + ", " + checkEvery + " and " + patience);
            }
        }

        /** 16 tanh units per tower, the bilinear form's penalty 10 and hold-out 10%, Adam at 0.005, 400 steps. */
        public static Settings defaults() {
            return new Settings(16, 16, 10, 0.1, 0.005, 400, 5, 10, 1);
        }

        public Settings withSeed(long newSeed) {
            return new Settings(contextHidden, candidateHidden, penalty, heldOutFraction, learningRate, maxIterations,
                    checkEvery, patience, newSeed);
        }
    }

    /**
     * @param encoder             the kept iterate's encoder
     * @param report              its held-out report ({@code steps}: the kept iterate's step, 0 for the bilinear start)
     * @param bilinearHeldOutLoss the starting point's held-out log loss, for comparison
     * @param iterations          steps taken
     */
    public record Result(TwoTowerEncoder encoder, HeldOutReport report, double bilinearHeldOutLoss, int iterations) {
    }

    private TwoTowerTraining() {
    }

    /**
     * @throws IllegalArgumentException as {@link BilinearTraining#train} does: a reward not in [0, 1], nothing left
     *                                  to fit after the hold-out, too many context-candidate products
     */
    public static Result train(RewardRows rows, Settings settings) {
        BilinearTraining.Fit start = BilinearTraining.fit(rows,
                new BilinearTraining.Settings(settings.penalty(), settings.heldOutFraction()));
        Layout layout = new Layout(rows.contextFeatures(), rows.candidateFeatures(), settings.contextHidden(),
                settings.candidateHidden());
        double[] theta = layout.initial(start.weights(), settings.seed());
        int n = rows.size();
        int end = start.result().report().trainRows();
        float[][] inputs = rows.inputArray();
        double[] rewards = rows.rewardArray();
        Pass pass = new Pass(layout);

        double[] best = theta.clone();
        double bestLoss = pass.loss(inputs, rewards, end, n, theta);
        double startLoss = bestLoss;
        int bestIteration = 0;
        double[] m = new double[theta.length];
        double[] v = new double[theta.length];
        double[] gradient = new double[theta.length];
        int checksWithoutBetter = 0;
        int iteration = 0;
        double lr = settings.learningRate();
        while (iteration < settings.maxIterations()) {
            iteration++;
            pass.gradient(inputs, rewards, end, theta, settings.penalty(), gradient);
            double c1 = 1 - Math.pow(BETA1, iteration);
            double c2 = 1 - Math.pow(BETA2, iteration);
            for (int j = 0; j < theta.length; j++) {
                double g = gradient[j] / end;
                m[j] = BETA1 * m[j] + (1 - BETA1) * g;
                v[j] = BETA2 * v[j] + (1 - BETA2) * g * g;
                theta[j] -= lr * (m[j] / c1) / (Math.sqrt(v[j] / c2) + EPSILON);
            }
            if (iteration % settings.checkEvery() == 0) {
                double loss = pass.loss(inputs, rewards, end, n, theta);
                if (loss < bestLoss) {
                    bestLoss = loss;
                    best = theta.clone();
                    bestIteration = iteration;
                    checksWithoutBetter = 0;
                } else if (++checksWithoutBetter >= settings.patience()) {
                    break;
                }
            }
        }
        TwoTowerEncoder encoder = layout.encoder(best);
        HeldOutReport bilinear = start.result().report();
        double[] scores = new double[n - end];
        for (int i = end; i < n; i++) {
            scores[i - end] = pass.logit(inputs[i], best);
        }
        HeldOutReport report = new HeldOutReport(n, end, n - end, bestIteration, false, bilinear.meanReward(),
                bestLoss, bilinear.baselineLoss(),
                RewardNetworkTraining.auc(scores, Arrays.copyOfRange(rewards, end, n)));
        return new Result(encoder, report, startLoss, iteration);
    }

    /**
     * Where each weight sits in the flat vector: {@code [w0, w (F), B (Fc x Fa), W_c, b_c, V_c, W_a, b_a, V_a]}.
     */
    private record Layout(int fc, int fa, int hc, int ha) {

        int f() {
            return fc + fa;
        }

        int b() {
            return 1 + f();
        }

        int contextTower() {
            return b() + fc * fa;
        }

        int candidateTower() {
            return contextTower() + hc * fc + hc + fc * hc;
        }

        int size() {
            return candidateTower() + ha * fa + ha + fa * ha;
        }

        /** The bilinear weights, seeded inner layers N(0, 1/inputs), zero biases and output layers. */
        double[] initial(double[] bilinear, long seed) {
            double[] theta = new double[size()];
            System.arraycopy(bilinear, 0, theta, 0, bilinear.length);
            SplittableRandom random = new SplittableRandom(seed);
            for (int j = 0; j < hc * fc; j++) {
                theta[contextTower() + j] = gaussian(random) / Math.sqrt(fc);
            }
            for (int j = 0; j < ha * fa; j++) {
                theta[candidateTower() + j] = gaussian(random) / Math.sqrt(fa);
            }
            return theta;
        }

        /** True for the weights the L2 penalty applies to: the feature weights, B and the output layers. */
        boolean penalised(int j) {
            if (j == 0) {
                return false;
            }
            if (j < contextTower()) {
                return true;
            }
            if (j < candidateTower()) {
                return j - contextTower() >= hc * fc + hc;
            }
            return j - candidateTower() >= ha * fa + ha;
        }

        TwoTowerEncoder encoder(double[] theta) {
            return new TwoTowerEncoder(Arrays.copyOfRange(theta, b(), contextTower()),
                    tower(theta, contextTower(), fc, hc), tower(theta, candidateTower(), fa, ha));
        }

        private static TwoTowerEncoder.Tower tower(double[] theta, int at, int inputs, int hidden) {
            return new TwoTowerEncoder.Tower(inputs, hidden, Arrays.copyOfRange(theta, at, at + hidden * inputs),
                    Arrays.copyOfRange(theta, at + hidden * inputs, at + hidden * inputs + hidden),
                    Arrays.copyOfRange(theta, at + hidden * inputs + hidden, at + 2 * hidden * inputs + hidden));
        }

        /** Box-Muller on the seeded stream (SplittableRandom has no Gaussian in Java 17). */
        private static double gaussian(SplittableRandom random) {
            return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        }
    }

    /** Forward and backward passes over rows, with scratch arrays reused from row to row. */
    private static final class Pass {
        private final Layout l;
        private final double[] tc;
        private final double[] ta;
        private final double[] g;
        private final double[] h;
        private final double[] bh;
        private final double[] dg;
        private final double[] dh;

        Pass(Layout layout) {
            this.l = layout;
            tc = new double[layout.hc()];
            ta = new double[layout.ha()];
            g = new double[layout.fc()];
            h = new double[layout.fa()];
            bh = new double[layout.fc()];
            dg = new double[layout.fc()];
            dh = new double[layout.fa()];
        }

        /** The logit of one row; leaves the towers' values in the scratch arrays. */
        double logit(float[] x, double[] theta) {
            int fc = l.fc();
            int fa = l.fa();
            tower(x, 0, fc, l.hc(), theta, l.contextTower(), tc, g);
            tower(x, fc, fa, l.ha(), theta, l.candidateTower(), ta, h);
            double eta = theta[0];
            for (int j = 0; j < l.f(); j++) {
                eta += theta[1 + j] * x[j];
            }
            int b = l.b();
            double s = 0;
            for (int i = 0; i < fc; i++) {
                double row = 0;
                for (int k = 0; k < fa; k++) {
                    row += theta[b + i * fa + k] * h[k];
                }
                bh[i] = row;
                s += g[i] * row;
            }
            return eta + s;
        }

        /** Mean log loss over rows [from, to). */
        double loss(float[][] inputs, double[] rewards, int from, int to, double[] theta) {
            double sum = 0;
            for (int r = from; r < to; r++) {
                double eta = logit(inputs[r], theta);
                sum += Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - rewards[r] * eta;
            }
            return sum / (to - from);
        }

        /** The gradient of the penalised summed log loss over rows [0, end), into {@code out}. */
        void gradient(float[][] inputs, double[] rewards, int end, double[] theta, double penalty, double[] out) {
            Arrays.fill(out, 0);
            int fc = l.fc();
            int fa = l.fa();
            int f = l.f();
            int b = l.b();
            for (int r = 0; r < end; r++) {
                float[] x = inputs[r];
                double eta = logit(x, theta);
                double residual = 1 / (1 + Math.exp(-eta)) - rewards[r];
                out[0] += residual;
                for (int j = 0; j < f; j++) {
                    out[1 + j] += residual * x[j];
                }
                Arrays.fill(dh, 0);
                for (int i = 0; i < fc; i++) {
                    double rg = residual * g[i];
                    int row = b + i * fa;
                    for (int k = 0; k < fa; k++) {
                        out[row + k] += rg * h[k];
                        dh[k] += rg * theta[row + k];
                    }
                    dg[i] = residual * bh[i];
                }
                backTower(x, 0, fc, l.hc(), theta, l.contextTower(), tc, dg, out);
                backTower(x, fc, fa, l.ha(), theta, l.candidateTower(), ta, dh, out);
            }
            for (int j = 1; j < theta.length; j++) {
                if (l.penalised(j)) {
                    out[j] += penalty * theta[j];
                }
            }
        }

        /** t = x + V tanh(W x + b) over x[offset, offset + n); the hidden values into {@code hidden}. */
        private static void tower(float[] x, int offset, int n, int units, double[] theta, int at, double[] hidden,
                                  double[] t) {
            for (int i = 0; i < n; i++) {
                t[i] = x[offset + i];
            }
            int biases = at + units * n;
            int outputs = biases + units;
            for (int u = 0; u < units; u++) {
                double a = theta[biases + u];
                int row = at + u * n;
                for (int i = 0; i < n; i++) {
                    a += theta[row + i] * x[offset + i];
                }
                double value = Math.tanh(a);
                hidden[u] = value;
                for (int i = 0; i < n; i++) {
                    t[i] += theta[outputs + i * units + u] * value;
                }
            }
        }

        /** Adds the tower's weight gradients given the loss's gradient {@code dt} with respect to its output. */
        private static void backTower(float[] x, int offset, int n, int units, double[] theta, int at,
                                      double[] hidden, double[] dt, double[] out) {
            int biases = at + units * n;
            int outputs = biases + units;
            for (int u = 0; u < units; u++) {
                double dHidden = 0;
                for (int i = 0; i < n; i++) {
                    out[outputs + i * units + u] += dt[i] * hidden[u];
                    dHidden += theta[outputs + i * units + u] * dt[i];
                }
                double dA = dHidden * (1 - hidden[u] * hidden[u]);
                out[biases + u] += dA;
                int row = at + u * n;
                for (int i = 0; i < n; i++) {
                    out[row + i] += dA * x[offset + i];
                }
            }
        }
    }
}
