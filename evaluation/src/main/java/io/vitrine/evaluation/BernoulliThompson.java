package io.vitrine.evaluation;

import java.util.Locale;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ChengBetaSampler;
import org.apache.commons.rng.sampling.distribution.ContinuousSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Bernoulli Thompson sampling with batch updates, as many production systems run it (Chapelle and Li, "An
 * empirical evaluation of Thompson sampling", NeurIPS 2011, whose display-advertising runs update every 30
 * minutes): every action's click rate has a Beta(a, b) posterior, starting from Beta(a0, b0); a round shows the
 * action with the largest draw from its posterior; the posteriors take the rounds' outcomes only when a batch
 * of {@code batch} rounds is complete. It ignores the context (and the position).
 * <p>
 * Replayed in log order like the other learning targets: it learns from each logged round's action and reward
 * (a reward r in [0, 1] adds r to a and 1 - r to b of the logged action). Its probability of each action,
 * P(action a has the largest draw), is constant within a batch and is estimated once per batch from
 * {@code draws} joint draws of every posterior.
 */
final class BernoulliThompson implements TargetPolicy {

    private final String name;
    private final double a0;
    private final double b0;
    private final int batch;
    private final int draws;
    private final UniformRandomProvider rng;
    private double[] a = new double[0];
    private double[] b = new double[0];
    private double[] pendingA = new double[0];
    private double[] pendingB = new double[0];
    private int pendingRounds;
    private double[] probabilities;

    BernoulliThompson(String name, double a0, double b0, int batch, int draws, long seed) {
        if (!(a0 > 0 && b0 > 0) || batch < 1 || draws < 1) {
            throw new IllegalArgumentException(name + ": needs a0 > 0, b0 > 0, batch >= 1 and draws >= 1");
        }
        this.name = name;
        this.a0 = a0;
        this.b0 = b0;
        this.batch = batch;
        this.draws = draws;
        this.rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
    }

    /** {@code bernoulli-ts} or {@code bernoulli-ts[batch=..,a0=..,b0=..,draws=..]}; null for any other name. */
    static BernoulliThompson parse(String name, long seed) {
        if (!name.equals("bernoulli-ts") && !(name.startsWith("bernoulli-ts[") && name.endsWith("]"))) {
            return null;
        }
        double a0 = 1;
        double b0 = 1;
        int batch = 1_000;
        int draws = 10_000;
        if (name.endsWith("]")) {
            for (String pair : name.substring(13, name.length() - 1).split(",")) {
                String[] kv = pair.trim().split("=");
                try {
                    switch (kv.length == 2 ? kv[0].trim() : "") {
                        case "a0" -> a0 = Double.parseDouble(kv[1]);
                        case "b0" -> b0 = Double.parseDouble(kv[1]);
                        case "batch" -> batch = Integer.parseInt(kv[1].trim());
                        case "draws" -> draws = Integer.parseInt(kv[1].trim());
                        default -> throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bernoulli-ts[...] takes batch=, a0=, b0= and draws=, got '"
                            + pair.trim() + "'");
                }
            }
        }
        return new BernoulliThompson(name, a0, b0, batch, draws, seed);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] probabilities(LoggedRound round) {
        if (round.actions() != a.length) {
            grow(round.actions());
        }
        if (probabilities == null) {
            probabilities = estimate();
        }
        return probabilities.clone();
    }

    @Override
    public void observe(LoggedRound round) {
        double r = Math.min(1, Math.max(0, round.reward()));
        pendingA[round.action()] += r;
        pendingB[round.action()] += 1 - r;
        if (++pendingRounds == batch) {
            for (int k = 0; k < a.length; k++) {
                a[k] += pendingA[k];
                b[k] += pendingB[k];
            }
            java.util.Arrays.fill(pendingA, 0);
            java.util.Arrays.fill(pendingB, 0);
            pendingRounds = 0;
            probabilities = null;
        }
    }

    /** The posteriors' parameters now, {@code {a, b}} per action (for tests and reports). */
    double[][] posterior() {
        return new double[][] {a.clone(), b.clone()};
    }

    private void grow(int actions) {
        int old = a.length;
        a = java.util.Arrays.copyOf(a, actions);
        b = java.util.Arrays.copyOf(b, actions);
        pendingA = java.util.Arrays.copyOf(pendingA, actions);
        pendingB = java.util.Arrays.copyOf(pendingB, actions);
        for (int k = old; k < actions; k++) {
            a[k] = a0;
            b[k] = b0;
        }
        probabilities = null;
    }

    /** P(action k has the largest draw), by {@code draws} joint draws from the posteriors. */
    private double[] estimate() {
        ContinuousSampler[] samplers = new ContinuousSampler[a.length];
        for (int k = 0; k < a.length; k++) {
            samplers[k] = ChengBetaSampler.of(rng, a[k], b[k]);
        }
        double[] pi = new double[a.length];
        for (int m = 0; m < draws; m++) {
            int best = 0;
            double top = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < a.length; k++) {
                double theta = samplers[k].sample();
                if (theta > top) {
                    top = theta;
                    best = k;
                }
            }
            pi[best] += 1.0 / draws;
        }
        return pi;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (batch %d, Beta(%.3g, %.3g) prior)", name, batch, a0, b0);
    }
}
