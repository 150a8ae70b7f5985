package io.vitrine.evaluation;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * The reward model for rewards in [0, 1] (clicks): an L2-regularised logistic regression with a part shared by
 * every action and a part of each action's own, shrunk towards the shared one,
 * <pre>
 *   r^(x, l, a) = sigma( b0 + theta . z(x) + gamma_l  +  alpha_a + delta_a . z(x) )
 * </pre>
 * z(x) the context standardised over the log, l the round's position ({@link LoggedRound#slot}; the first position
 * of the log is the reference, gamma = 0), sigma the logistic function. It is fitted in two stages, each by
 * Newton's method on the weighted, penalised log-likelihood:
 * <ol>
 *   <li>the shared part on every round, with a light penalty {@value #SHARED_PENALTY} on theta and gamma (the
 *   intercept is free, so the fitted rewards sum to the logged ones: the model is calibrated on average);</li>
 *   <li>each action's (alpha_a, delta_a) on that action's rounds, with the shared logit as an offset and the
 *   penalties ({@link Penalty}) on alpha_a and on delta_a: an action with few rounds or few clicks stays near the
 *   shared model instead of being fitted to its noise.</li>
 * </ol>
 * The two penalties are chosen by cross-validation ({@link RewardModels}). The rewards are weighted by
 * v_t = (1 / mu_t) / mean over the action's rounds of (1 / mu), as in {@link RidgeRewardModel}: a logging policy
 * that learns as it logs takes an action more after it paid, and the weights undo that selection.
 * <p>
 * Why this model: on sparse clicks (0.5%, 80 actions, about one click per action in 10,000 rounds) the per-action
 * ridge regression predicts each action's own click rate, so a target that learned which actions happened to be
 * clicked was put at 3 to 6 times its IPS estimate. Shrinking each action towards the shared model, by as much as
 * cross-validation finds the data support, removes that bias; the logistic link keeps predictions in (0, 1).
 * Why hand-written: the well-kept learners on Maven Central (Smile's and Tribuo's logistic regressions) take
 * neither per-round weights with an offset nor a penalty that spares the intercept, and Tribuo's SGD converges
 * poorly on 0.5% positives; Newton's method on a few parameters per stage takes a dozen lines and converges in
 * a handful of passes. EJML solves the Newton systems.
 */
public final class LogisticRewardModel implements RewardModel {

    /** The penalty of the shared slopes and position effects (in units of weighted rounds, as every penalty). */
    static final double SHARED_PENALTY = 1;
    /** A negligible penalty on the intercept: it keeps Newton's method finite on a log without a click. */
    private static final double INTERCEPT_PENALTY = 1e-6;
    private static final int MOST_ITERATIONS = 50;
    private static final double TOLERANCE = 1e-8;
    /** The relative rise of the objective that a Newton step may cause without counting as an overshoot. */
    private static final double ROUNDING = 1e-9;

    private final Design design;
    private final double[] shared;
    private final double[][] own;

    private LogisticRewardModel(Design design, double[] shared, double[][] own) {
        this.design = design;
        this.shared = shared;
        this.own = own;
    }

    /**
     * What every fit on one log shares, computed once: the standardised contexts, each round's position index,
     * reward and weight. Standardisation and weights use no reward, so the folds of a cross-fit may share them.
     */
    static final class Design {
        final int rounds;
        final int dimension;
        final int actions;
        final double[] mean;
        final double[] scale;
        final Map<String, Integer> positions;
        final double[] z;
        final int[] position;
        final int[] action;
        final double[] reward;
        final double[] weight;

        Design(List<LoggedRound> log) {
            rounds = log.size();
            dimension = rounds == 0 ? 0 : log.get(0).context().length;
            int most = 0;
            mean = new double[dimension];
            scale = new double[dimension];
            for (LoggedRound r : log) {
                most = Math.max(most, r.actions());
                for (int j = 0; j < dimension; j++) {
                    mean[j] += r.context()[j];
                }
            }
            actions = most;
            for (int j = 0; j < dimension; j++) {
                mean[j] /= Math.max(1, rounds);
            }
            for (LoggedRound r : log) {
                for (int j = 0; j < dimension; j++) {
                    double d = r.context()[j] - mean[j];
                    scale[j] += d * d;
                }
            }
            for (int j = 0; j < dimension; j++) {
                double sd = Math.sqrt(scale[j] / Math.max(1, rounds - 1));
                scale[j] = sd > 0 ? sd : 1;
            }
            positions = new HashMap<>();
            z = new double[rounds * dimension];
            position = new int[rounds];
            action = new int[rounds];
            reward = new double[rounds];
            weight = new double[rounds];
            double[] inverseSums = new double[actions];
            int[] counts = new int[actions];
            for (int t = 0; t < rounds; t++) {
                LoggedRound r = log.get(t);
                standardise(r.context(), z, t * dimension);
                position[t] = r.slot() == null ? 0 : positions.computeIfAbsent(r.slot(), s -> positions.size());
                action[t] = r.action();
                reward[t] = r.reward();
                inverseSums[r.action()] += 1 / r.propensity();
                counts[r.action()]++;
            }
            for (int t = 0; t < rounds; t++) {
                weight[t] = counts[action[t]] / (log.get(t).propensity() * inverseSums[action[t]]);
            }
        }

        /** Columns of the shared part: intercept, the context, one per position but the first. */
        int sharedColumns() {
            return 1 + dimension + Math.max(0, positions.size() - 1);
        }

        void standardise(float[] x, double[] out, int at) {
            for (int j = 0; j < dimension; j++) {
                out[at + j] = (x[j] - mean[j]) / scale[j];
            }
        }
    }

    /** Fits the model on the rounds {@code sample} of the design's log with the penalties of each action's part. */
    static LogisticRewardModel fit(Design d, int[] sample, Penalty penalty) {
        try (Workers one = new Workers(1)) {
            return fitAll(new Shared[] {Shared.fit(d, sample, null)}, penalty, null, one)[0];
        }
    }

    /**
     * The penalties of each action's own part: {@code intercept} on alpha_a, {@code slopes} on delta_a. Apart
     * because they do different work: on sparse clicks the intercepts must be shrunk hard (an action's own click
     * rate rests on one or two clicks), while frequent clicks measure how each action's reward changes with the
     * context well enough that shrinking the slopes would bias the estimate of a target that exploits them.
     */
    record Penalty(double intercept, double slopes) {
        @Override
        public String toString() {
            return Diagnostics.format(intercept) + " on the actions' intercepts, " + Diagnostics.format(slopes)
                    + " on their slopes";
        }
    }

    /**
     * The shared stage of a fit, which does not depend on the actions' penalties: fitted once per sample, with
     * the sample's rounds of each action for the second stage.
     */
    record Shared(Design design, int[] sample, double[] beta, double[] offset, int[][] byAction) {

        /**
         * Fits the shared stage on {@code sample}, by Newton's method from {@code start}'s shared coefficients
         * (a fit of the same design on other rounds) or, when it is null, from zero. The optimum is unique (the
         * objective is strictly convex), so the start changes how many passes it takes, not where it ends.
         */
        static Shared fit(Design d, int[] sample, LogisticRewardModel start) {
            int p = d.sharedColumns();
            double[] penalty = new double[p];
            java.util.Arrays.fill(penalty, SHARED_PENALTY);
            penalty[0] = INTERCEPT_PENALTY;
            double[] offset = new double[d.rounds];
            double[] beta = newton(sample, p, (t, row) -> sharedRow(d, t, row), offset, d, penalty,
                    start == null ? null : start.shared);
            double[] row = new double[p];
            for (int t : sample) {
                sharedRow(d, t, row);
                offset[t] = dot(beta, row);
            }
            return new Shared(d, sample, beta, offset, roundsOfEachAction(d, sample));
        }
    }

    /** The rounds of {@code sample} of each action, in the sample's order. */
    private static int[][] roundsOfEachAction(Design d, int[] sample) {
        int[] counts = new int[d.actions];
        for (int t : sample) {
            counts[d.action[t]]++;
        }
        int[][] byAction = new int[d.actions][];
        for (int a = 0; a < d.actions; a++) {
            byAction[a] = new int[counts[a]];
        }
        int[] filled = new int[d.actions];
        for (int t : sample) {
            byAction[d.action[t]][filled[d.action[t]]++] = t;
        }
        return byAction;
    }

    /**
     * Fits each action's own part on top of each fitted shared stage, with one penalty: model i on
     * {@code shared[i]}. Each (stage, action) pair is a task of its own on the workers: the pairs share nothing
     * they write, so the models do not depend on the number of threads. With {@code start} (models of the same
     * design on other rounds, one per stage), each action's Newton passes start from start[i]'s coefficients of
     * that action instead of zero.
     */
    static LogisticRewardModel[] fitAll(Shared[] shared, Penalty penalty, LogisticRewardModel[] start,
                                        Workers workers) {
        Design d = shared[0].design();
        double[] ownPenalty = new double[1 + d.dimension];
        java.util.Arrays.fill(ownPenalty, penalty.slopes());
        ownPenalty[0] = penalty.intercept();
        List<double[]> own = workers.map(shared.length * d.actions, task -> {
            int i = task / d.actions;
            int a = task % d.actions;
            int[] rounds = shared[i].byAction()[a];
            if (rounds.length == 0) {
                return null;
            }
            double[] from = start == null || a >= start[i].own.length ? null : start[i].own[a];
            return newton(rounds, 1 + d.dimension, (t, r) -> ownRow(d, t, r), shared[i].offset(), d, ownPenalty,
                    from);
        });
        LogisticRewardModel[] models = new LogisticRewardModel[shared.length];
        for (int i = 0; i < shared.length; i++) {
            models[i] = new LogisticRewardModel(d, shared[i].beta(),
                    own.subList(i * d.actions, (i + 1) * d.actions).toArray(new double[0][]));
        }
        return models;
    }

    /** Fills the features of round t in a stage. */
    private interface Row {
        void fill(int t, double[] row);
    }

    private static void sharedRow(Design d, int t, double[] row) {
        row[0] = 1;
        System.arraycopy(d.z, t * d.dimension, row, 1, d.dimension);
        for (int j = 1 + d.dimension; j < row.length; j++) {
            row[j] = 0;
        }
        if (d.position[t] > 0) {
            row[d.dimension + d.position[t]] = 1;
        }
    }

    private static void ownRow(Design d, int t, double[] row) {
        row[0] = 1;
        System.arraycopy(d.z, t * d.dimension, row, 1, d.dimension);
    }

    /**
     * Minimises sum_t v_t [log(1 + e^eta_t) - y_t eta_t] + 1/2 sum_j penalty_j beta_j^2, eta_t = offset_t +
     * beta . row_t, by Newton's method from {@code start} (zero when null), halving a step that does not lower
     * the objective.
     */
    private static double[] newton(int[] rounds, int p, Row features, double[] offset, Design d, double[] penalty,
                                   double[] start) {
        double[] beta = start == null ? new double[p] : start.clone();
        double[] step = new double[p];
        double[] row = new double[p];
        DMatrixRMaj hessian = new DMatrixRMaj(p, p);
        DMatrixRMaj gradient = new DMatrixRMaj(p, 1);
        DMatrixRMaj solution = new DMatrixRMaj(p, 1);
        LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.chol(p);
        double previous = Double.POSITIVE_INFINITY;
        double halving = 1;
        for (int iteration = 0; iteration < MOST_ITERATIONS; iteration++) {
            hessian.zero();
            gradient.zero();
            double objective = 0;
            for (int t : rounds) {
                features.fill(t, row);
                double eta = offset[t] + dot(beta, row);
                double e = Math.exp(-Math.abs(eta)); // one exponential for both the probability and the loss
                double mu = eta >= 0 ? 1 / (1 + e) : e / (1 + e);
                double v = d.weight[t];
                objective += v * (Math.max(eta, 0) + Math.log1p(e) - d.reward[t] * eta);
                double g = v * (mu - d.reward[t]);
                double h = v * mu * (1 - mu);
                for (int j = 0; j < p; j++) {
                    gradient.data[j] += g * row[j];
                    double hj = h * row[j];
                    for (int k = 0; k <= j; k++) {
                        hessian.data[j * p + k] += hj * row[k];
                    }
                }
            }
            for (int j = 0; j < p; j++) {
                objective += 0.5 * penalty[j] * beta[j] * beta[j];
                gradient.data[j] += penalty[j] * beta[j];
                hessian.data[j * p + j] += penalty[j];
                for (int k = 0; k < j; k++) {
                    hessian.data[k * p + j] = hessian.data[j * p + k];
                }
            }
            // The objective is a sum over many rounds, exact to its rounding error only (up to about 1e-10 of it
            // on a million rounds): a rise within that is no overshoot. Halving for it undid each last step of
            // convergence, and a fit near its optimum went round to the most passes.
            if (objective > previous + ROUNDING * Math.abs(previous) && halving > 1e-4) {
                // The last step overshot: go back half of it and look again.
                halving /= 2;
                for (int j = 0; j < p; j++) {
                    beta[j] -= halving * step[j];
                }
                continue;
            }
            previous = objective;
            if (!solver.setA(hessian)) {
                break; // cannot happen with a positive penalty on every column
            }
            solver.solve(gradient, solution);
            double largest = 0;
            for (int j = 0; j < p; j++) {
                step[j] = solution.data[j];
                beta[j] -= step[j];
                largest = Math.max(largest, Math.abs(step[j]));
            }
            halving = 1;
            for (int j = 0; j < p; j++) {
                step[j] = -step[j]; // the step taken, for halving it back
            }
            if (largest < TOLERANCE) {
                break;
            }
        }
        return beta;
    }

    /** Every coefficient: the shared part's, then each action's own (zeros for an action the fit never saw). */
    double[] coefficients() {
        int width = 1 + design.dimension;
        double[] all = java.util.Arrays.copyOf(shared, shared.length + own.length * width);
        for (int a = 0; a < own.length; a++) {
            if (own[a] != null) {
                System.arraycopy(own[a], 0, all, shared.length + a * width, width);
            }
        }
        return all;
    }

    @Override
    public double predict(LoggedRound round, int action) {
        double[] z = new double[design.dimension];
        design.standardise(round.context(), z, 0);
        return sigmoid(sharedLogit(round, z) + ownLogit(z, action));
    }

    /** Standardises the context once for every action the policy may take. */
    @Override
    public double expected(LoggedRound round, double[] pi) {
        double[] z = new double[design.dimension];
        design.standardise(round.context(), z, 0);
        double shared = sharedLogit(round, z);
        double sum = 0;
        for (int a = 0; a < pi.length; a++) {
            if (pi[a] != 0) {
                sum += pi[a] * sigmoid(shared + ownLogit(z, a));
            }
        }
        return sum;
    }

    private double sharedLogit(LoggedRound round, double[] z) {
        double eta = shared[0];
        for (int j = 0; j < z.length; j++) {
            eta += shared[1 + j] * z[j];
        }
        Integer position = round.slot() == null ? null : design.positions.get(round.slot());
        if (position != null && position > 0) {
            eta += shared[design.dimension + position];
        }
        return eta;
    }

    /** An action the fit never saw has no part of its own: the shared model predicts it. */
    private double ownLogit(double[] z, int action) {
        double[] b = action < own.length ? own[action] : null;
        if (b == null) {
            return 0;
        }
        double eta = b[0];
        for (int j = 0; j < z.length; j++) {
            eta += b[1 + j] * z[j];
        }
        return eta;
    }

    /**
     * The weighted log-loss v_t [log(1 + e^eta_t) - y_t eta_t] of each round of {@code sample} (in its order):
     * what cross-validation compares.
     */
    double[] logLosses(int[] sample) {
        double[] losses = new double[sample.length];
        double[] z = new double[design.dimension];
        for (int i = 0; i < sample.length; i++) {
            int t = sample[i];
            System.arraycopy(design.z, t * design.dimension, z, 0, design.dimension);
            double eta = shared[0];
            for (int j = 0; j < z.length; j++) {
                eta += shared[1 + j] * z[j];
            }
            if (design.position[t] > 0) {
                eta += shared[design.dimension + design.position[t]];
            }
            eta += ownLogit(z, design.action[t]);
            losses[i] = design.weight[t]
                    * (Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta))) - design.reward[t] * eta);
        }
        return losses;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    private static double sigmoid(double eta) {
        return eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta));
    }
}
