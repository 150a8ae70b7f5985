package io.vitrine.evaluation;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The reward model for rewards outside [0, 1] (logistic regression needs them in [0, 1], {@link LogisticRewardModel}),
 * and for any log with {@code --reward-model ridge}: one ridge regression per action on
 * {@code [1, x]}, fitted on the rounds where that action was logged, each weighted by its inverse propensity,
 * <pre>
 *   beta_a = (X_a^T W_a X_a + lambda D)^-1 X_a^T W_a r_a,   r^(x, a) = [1, x] . beta_a,   D = diag(0, 1, ..., 1)
 *   W_a = diag(v_t),  v_t = (1 / mu_t) / mean over the action's rounds of (1 / mu)
 * </pre>
 * solved with EJML's Cholesky solver.
 * <p>
 * Why weighted: a logging policy that learns as it logs takes an action more after it paid and less after it
 * did not, so the plain per-action fit of adaptively collected data is biased downwards (Nie, Tian, Taylor and
 * Zou, "Why adaptively collected data have negative bias and how to correct for it", AISTATS 2018). The inverse
 * propensity weights undo that selection (for the intercept alone the fit is the Hajek estimator of the action's
 * mean reward); the normalisation keeps the ridge's scale. Under a uniform logging policy every weight is 1 and
 * this is ordinary ridge regression. The intercept is not penalised: an action a logging policy rarely took
 * would otherwise be predicted near 0 instead of near its mean reward. An action never logged in the sample
 * predicts the sample's mean reward.
 */
public final class RidgeRewardModel implements RewardModel {

    private final double[][] beta;
    private final double fallback;

    private RidgeRewardModel(double[][] beta, double fallback) {
        this.beta = beta;
        this.fallback = fallback;
    }

    /** Fits the model on {@code log[sample[i]]}. */
    public static RidgeRewardModel fit(java.util.List<LoggedRound> log, int[] sample, double lambda) {
        int actions = 0;
        int dimension = 0;
        double total = 0;
        for (int i : sample) {
            actions = Math.max(actions, log.get(i).actions());
            dimension = log.get(i).context().length + 1;
            total += log.get(i).reward();
        }
        DMatrixRMaj[] gram = new DMatrixRMaj[actions];
        DMatrixRMaj[] moment = new DMatrixRMaj[actions];
        int[] counts = new int[actions];
        double[] inverseSums = new double[actions];
        for (int i : sample) {
            LoggedRound r = log.get(i);
            inverseSums[r.action()] += 1 / r.propensity();
            counts[r.action()]++;
        }
        double[] row = new double[dimension];
        for (int i : sample) {
            LoggedRound r = log.get(i);
            int a = r.action();
            if (gram[a] == null) {
                gram[a] = new DMatrixRMaj(dimension, dimension);
                moment[a] = new DMatrixRMaj(dimension, 1);
            }
            double v = counts[a] / (r.propensity() * inverseSums[a]);
            features(r.context(), row);
            for (int j = 0; j < dimension; j++) {
                moment[a].data[j] += v * row[j] * r.reward();
                for (int k = 0; k < dimension; k++) {
                    gram[a].data[j * dimension + k] += v * row[j] * row[k];
                }
            }
        }
        double[][] beta = new double[actions][];
        for (int a = 0; a < actions; a++) {
            if (counts[a] == 0) {
                continue;
            }
            for (int j = 1; j < dimension; j++) {
                gram[a].data[j * dimension + j] += lambda;
            }
            LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(dimension);
            if (!solver.setA(gram[a])) {
                continue; // cannot happen with lambda > 0; the fallback predicts then
            }
            DMatrixRMaj solution = new DMatrixRMaj(dimension, 1);
            solver.solve(moment[a], solution);
            beta[a] = solution.data;
        }
        return new RidgeRewardModel(beta, sample.length > 0 ? total / sample.length : 0);
    }

    /** r^(x, a) of one action, without allocating: the evaluator asks this of every round and target. */
    @Override
    public double predict(LoggedRound round, int action) {
        if (action >= beta.length || beta[action] == null) {
            return fallback;
        }
        double[] b = beta[action];
        float[] x = round.context();
        double value = b[0];
        for (int j = 0; j < x.length; j++) {
            value += x[j] * b[j + 1];
        }
        return value;
    }

    private static void features(float[] context, double[] row) {
        row[0] = 1;
        for (int j = 0; j < context.length; j++) {
            row[j + 1] = context[j];
        }
    }
}
