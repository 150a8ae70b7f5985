package io.vitrine.core.train;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

import java.util.Arrays;

/**
 * Fits a {@link BilinearEncoder} to a click log: an L2-regularised logistic regression of the click on
 * {@code [1, x, x_c (x) x_a]} (the features and every context-candidate product), solved exactly by Newton's method
 * (iteratively reweighted least squares). The encoder keeps the product weights as its interaction matrix B; the
 * intercept and the raw-feature weights are left to each slot's posterior, which learns its own.
 *
 * <p>Newton's method is written here rather than taken from a library because it is a dozen lines around a
 * Cholesky solve (EJML's, as the posterior uses), it is exact and deterministic, and the libraries that ship a
 * logistic regression (Smile, Tribuo's SGD trainers) either bring large dependencies or fit by stochastic gradient,
 * which is what made the network's retraining depend on a learning-rate recipe.
 */
public final class BilinearTraining {

    /** Largest Fc x Fa: the Newton system grows with its square (p = 1 + F + Fc Fa unknowns). */
    public static final int MAX_PRODUCTS = 256;
    static final int MAX_ITERATIONS = 30;
    static final double TOLERANCE = 1e-7;

    /**
     * @param penalty         L2 penalty on every weight but the intercept, in units of rows. Default 10
     * @param heldOutFraction the newest share of rows kept out of the fit, on which the report is measured
     */
    public record Settings(double penalty, double heldOutFraction) {

        public Settings {
            if (!(penalty > 0) || Double.isInfinite(penalty)) {
                throw new IllegalArgumentException("penalty must be a finite number > 0, got " + penalty);
            }
            if (!(heldOutFraction >= 0 && heldOutFraction < 1)) {
                throw new IllegalArgumentException("heldOutFraction must be in [0, 1), got " + heldOutFraction);
            }
        }

        /**
         * Penalty 10 (measured on the demo's world: 3 and 30 did about as well, 1 overfitted the first 2,000 rewards),
         * the newest 10% held out.
         */
        public static Settings defaults() {
            return new Settings(10, 0.1);
        }
    }

    /** The encoder, how it did on the held-out rows, and the Newton iterations it took. */
    public record Result(BilinearEncoder encoder, HeldOutReport report, int iterations) {
    }

    private BilinearTraining() {
    }

    /**
     * @throws IllegalArgumentException when a reward is not in [0, 1], nothing is left to fit after the hold-out,
     *                                  or Fc x Fa exceeds {@link #MAX_PRODUCTS}
     */
    public static Result train(RewardRows rows, Settings settings) {
        return fit(rows, settings).result();
    }

    /**
     * The result with every fitted weight, {@code [intercept, the F feature weights, B row-major]}: the starting
     * point of {@link TwoTowerTraining}.
     */
    record Fit(Result result, double[] weights) {
    }

    /** {@link #train}, keeping the whole weight vector; the same checks. */
    static Fit fit(RewardRows rows, Settings settings) {
        int fc = rows.contextFeatures();
        int fa = rows.candidateFeatures();
        if (fc < 1 || fa < 1) {
            throw new IllegalArgumentException("the bilinear form needs context and candidate features, got "
                    + fc + " and " + fa);
        }
        if ((long) fc * fa > MAX_PRODUCTS) {
            throw new IllegalArgumentException(fc + " context x " + fa + " candidate features make " + (long) fc * fa
                    + " products, more than the bilinear form's " + MAX_PRODUCTS + "; train the network form instead");
        }
        int n = rows.size();
        float[][] inputs = rows.inputArray();
        double[] rewards = rows.rewardArray();
        for (int i = 0; i < n; i++) {
            if (!(rewards[i] >= 0 && rewards[i] <= 1)) {
                throw new IllegalArgumentException("row " + i + " has reward " + rewards[i]
                        + "; the bilinear form fits clicks in [0, 1]");
            }
        }
        int heldOut = settings.heldOutFraction() > 0 ? (int) Math.max(1, Math.round(n * settings.heldOutFraction())) : 0;
        int end = n - heldOut;
        if (end < 1) {
            throw new IllegalArgumentException("only " + n + " rewards: nothing is left to fit after holding out the"
                    + " newest " + Math.round(100 * settings.heldOutFraction()) + "%");
        }
        int f = fc + fa;
        int p = 1 + f + fc * fa;
        double[] w = new double[p];
        double[] x = new double[p];
        DMatrixRMaj hessian = new DMatrixRMaj(p, p);
        DMatrixRMaj gradient = new DMatrixRMaj(p, 1);
        DMatrixRMaj step = new DMatrixRMaj(p, 1);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(p);
        double lambda = settings.penalty();
        double objective = objective(inputs, rewards, end, w, x, fc, fa, lambda);
        int iterations = 0;
        while (iterations < MAX_ITERATIONS) {
            iterations++;
            hessian.zero();
            gradient.zero();
            double[] h = hessian.data;
            double[] g = gradient.data;
            for (int j = 1; j < p; j++) {
                h[j * p + j] = lambda;
                g[j] = lambda * w[j];
            }
            h[0] = 1e-9;
            for (int r = 0; r < end; r++) {
                expand(inputs[r], fc, fa, x);
                double mu = sigmoid(dot(w, x));
                double residual = mu - rewards[r];
                double weight = Math.max(mu * (1 - mu), 1e-12);
                for (int j = 0; j < p; j++) {
                    double xj = x[j];
                    g[j] += residual * xj;
                    double wx = weight * xj;
                    int row = j * p;
                    // Lower triangle only; mirrored below.
                    for (int k = 0; k <= j; k++) {
                        h[row + k] += wx * x[k];
                    }
                }
            }
            for (int j = 0; j < p; j++) {
                for (int k = j + 1; k < p; k++) {
                    h[j * p + k] = h[k * p + j];
                }
            }
            if (!solver.setA(hessian)) {
                throw new IllegalStateException("the Newton system of the bilinear fit is singular");
            }
            solver.solve(gradient, step);
            // Damped step: halve until the penalised log loss does not increase (it rarely needs to).
            double[] candidate = new double[p];
            double scale = 1;
            double next = Double.NaN;
            for (int halvings = 0; halvings < 20; halvings++) {
                for (int j = 0; j < p; j++) {
                    candidate[j] = w[j] - scale * step.data[j];
                }
                next = objective(inputs, rewards, end, candidate, x, fc, fa, lambda);
                if (next <= objective + 1e-12 * Math.abs(objective)) {
                    break;
                }
                scale /= 2;
            }
            double change = 0;
            for (int j = 0; j < p; j++) {
                change = Math.max(change, Math.abs(candidate[j] - w[j]));
            }
            w = candidate;
            objective = next;
            if (change < TOLERANCE) {
                break;
            }
        }
        double[] interaction = Arrays.copyOfRange(w, 1 + f, p);
        BilinearEncoder encoder = new BilinearEncoder(fc, fa, interaction);
        return new Fit(new Result(encoder, report(inputs, rewards, n, end, w, x, fc, fa, iterations), iterations), w);
    }

    private static HeldOutReport report(float[][] inputs, double[] rewards, int n, int end, double[] w, double[] x,
                                        int fc, int fa, int iterations) {
        double mean = 0;
        for (int i = 0; i < end; i++) {
            mean += rewards[i];
        }
        mean /= end;
        int heldOut = n - end;
        double loss = Double.NaN;
        double baseline = Double.NaN;
        double auc = Double.NaN;
        if (heldOut > 0) {
            double[] scores = new double[heldOut];
            double[] targets = Arrays.copyOfRange(rewards, end, n);
            loss = 0;
            baseline = 0;
            for (int i = 0; i < heldOut; i++) {
                expand(inputs[end + i], fc, fa, x);
                scores[i] = dot(w, x);
                loss += logLoss(sigmoid(scores[i]), targets[i]);
                baseline += logLoss(mean, targets[i]);
            }
            loss /= heldOut;
            baseline /= heldOut;
            auc = RewardNetworkTraining.auc(scores, targets);
        }
        return new HeldOutReport(n, end, heldOut, iterations, false, mean, loss, baseline, auc);
    }

    private static double objective(float[][] inputs, double[] rewards, int end, double[] w, double[] x, int fc,
                                    int fa, double lambda) {
        double sum = 0;
        for (int r = 0; r < end; r++) {
            expand(inputs[r], fc, fa, x);
            double eta = dot(w, x);
            // log(1 + e^eta) - y eta, computed without overflow.
            sum += Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - rewards[r] * eta;
        }
        double penalty = 0;
        for (int j = 1; j < w.length; j++) {
            penalty += w[j] * w[j];
        }
        return sum + 0.5 * lambda * penalty;
    }

    /** x = [1, features, context (x) candidate], the products row-major as in {@link BilinearEncoder}. */
    private static void expand(float[] input, int fc, int fa, double[] x) {
        int f = fc + fa;
        x[0] = 1;
        for (int j = 0; j < f; j++) {
            x[1 + j] = input[j];
        }
        int at = 1 + f;
        for (int i = 0; i < fc; i++) {
            for (int k = 0; k < fa; k++) {
                x[at++] = (double) input[i] * input[fc + k];
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static double sigmoid(double eta) {
        return 1 / (1 + Math.exp(-eta));
    }

    private static double logLoss(double p, double y) {
        double q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
        return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    }
}
