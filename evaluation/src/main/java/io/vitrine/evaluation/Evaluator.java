package io.vitrine.evaluation;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Evaluates target policies on a log: every estimator's value with its bootstrap interval, and the
 * diagnostics of the importance weights. Deterministic for its seed.
 */
public final class Evaluator {

    /**
     * One estimator's answer for one target policy.
     *
     * @param untrusted why the interval cannot be trusted on this log ({@link Trust}), or null when it can
     */
    public record Estimate(String policy, String estimator, double value, double low, double high,
                           String untrusted) {

        Estimate withUntrusted(String reason) {
            return new Estimate(policy, estimator, value, low, high, reason);
        }
    }

    /** Everything about one target policy. */
    public record PolicyReport(String policy, List<Estimate> estimates, Diagnostics diagnostics) {
    }

    private final List<Estimator> estimators;
    private final Bootstrap bootstrap;
    private final double clip;
    private final RewardModels.Kind rewardModel;
    private final double ridge;

    /**
     * @param clip        the weight clip whose share the diagnostics report (that of the clipped IPS in use)
     * @param rewardModel which reward model the direct method and doubly robust use ({@link RewardModels})
     * @param ridge       the ridge model's penalty
     */
    public Evaluator(List<Estimator> estimators, Bootstrap bootstrap, double clip, RewardModels.Kind rewardModel,
                     double ridge) {
        this.estimators = List.copyOf(estimators);
        this.bootstrap = bootstrap;
        this.clip = clip;
        this.rewardModel = rewardModel;
        this.ridge = ridge;
    }

    /** With the default kind of reward model ({@link RewardModels.Kind#AUTO}). */
    public Evaluator(List<Estimator> estimators, Bootstrap bootstrap, double clip, double ridge) {
        this(estimators, bootstrap, clip, RewardModels.Kind.AUTO, ridge);
    }

    /** With the reward models' default ridge penalty. */
    public Evaluator(List<Estimator> estimators, Bootstrap bootstrap, double clip) {
        this(estimators, bootstrap, clip, RewardModels.DEFAULT_RIDGE);
    }

    /** The standard set: replay, IPS, clipped IPS (M = clip), SNIPS, direct method, doubly robust. */
    public static List<Estimator> standardEstimators(double clip) {
        return List.of(new Replay(), InversePropensity.plain(), InversePropensity.clipped(clip),
                new SelfNormalizedInversePropensity(), new DirectMethod(), new DoublyRobust());
    }

    public List<Estimator> estimators() {
        return estimators;
    }

    public PolicyReport evaluate(List<LoggedRound> log, TargetPolicy policy, long seed) {
        return evaluate(policy.name(), score(log, policy, seed, fit(log)), seed);
    }

    /** The reward models of a log under this evaluator's settings, to score every target with. */
    public RewardModels fit(List<LoggedRound> log) {
        return RewardModels.fit(log, rewardModel, ridge);
    }

    /** The report of a policy whose rounds were already scored (a learning policy can be scored only once). */
    public PolicyReport evaluate(String policy, ScoredRound[] scored, long seed) {
        int[] all = everyRound(scored.length);
        // The estimators' bootstraps run side by side (a thousand resamples of a large log each): every
        // estimator and the bootstrap are stateless, and each interval has its own seed, so the results do not
        // depend on the threads.
        List<Estimate> estimates = IntStream.range(0, estimators.size()).parallel().mapToObj(e -> {
            Estimator estimator = estimators.get(e);
            Estimator.Terms terms = estimator.terms(scored);
            double value = terms != null ? ratio(terms) : estimator.estimate(scored, all);
            double[] interval = bootstrap.interval(estimator, scored, seed * 31 + e);
            return new Estimate(policy, estimator.name(), value, interval[0], interval[1], null);
        }).toList();
        Diagnostics diagnostics = Diagnostics.of(scored, clip);
        String[] reasons = Trust.reasons(estimators, estimates, scored, diagnostics, unsupported(scored));
        List<Estimate> judged = IntStream.range(0, estimates.size())
                .mapToObj(e -> estimates.get(e).withUntrusted(reasons[e])).toList();
        return new PolicyReport(policy, judged, diagnostics);
    }

    /** The target's mean probability over the rounds on actions the log never took. */
    private static double unsupported(ScoredRound[] scored) {
        double sum = 0;
        for (ScoredRound r : scored) {
            sum += r.unsupported();
        }
        return scored.length == 0 ? 0 : sum / scored.length;
    }

    /** sum a / sum b of the terms: the estimate on every round. */
    private static double ratio(Estimator.Terms terms) {
        double a = 0;
        double b = 0;
        for (int t = 0; t < terms.a().length; t++) {
            a += terms.a()[t];
            b += terms.b() == null ? 1 : terms.b()[t];
        }
        return a / b;
    }

    /** The sample of every round once, in order: the estimate itself rather than a bootstrap replicate. */
    static int[] everyRound(int rounds) {
        int[] all = new int[rounds];
        for (int i = 0; i < rounds; i++) {
            all[i] = i;
        }
        return all;
    }

    /**
     * The target's probabilities of every round in log order, with its seeded draws for the replay; a learning
     * target observes each round after its probabilities were taken. The bootstrap then resamples these rounds,
     * so its intervals hold the learning path fixed (they do not replay the learning on each resample).
     */
    public static ScoredRound[] score(List<LoggedRound> log, TargetPolicy policy, long seed) {
        return score(log, policy, seed, RewardModels.fit(log, RewardModels.DEFAULT_RIDGE));
    }

    /** Rounds scored together: the target's probabilities of a block are kept while the models read them. */
    static final int BLOCK = 4096;

    /**
     * Scores with reward models already fitted on the log (once for all targets). The target is asked round after
     * round, in log order (a learning target observes each round after it was asked); the reward models'
     * expectations under the target's probabilities, which read nothing but the round and the probabilities,
     * are then computed for a block of {@value #BLOCK} rounds at a time on every processor. Each is computed
     * alone, so the scores do not depend on the number of threads.
     */
    public static ScoredRound[] score(List<LoggedRound> log, TargetPolicy policy, long seed, RewardModels models) {
        UniformRandomProvider rng = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        ScoredRound[] scored = new ScoredRound[log.size()];
        java.util.BitSet taken = new java.util.BitSet();
        for (LoggedRound round : log) {
            taken.set(round.action());
        }
        double[][] targets = new double[BLOCK][];
        double[] weights = new double[BLOCK];
        int[] draws = new int[BLOCK];
        double[] accepts = new double[BLOCK];
        double[] unsupported = new double[BLOCK];
        double[] modelled = new double[BLOCK];
        double[] predicted = new double[BLOCK];
        for (int start = 0; start < scored.length; start += BLOCK) {
            int end = Math.min(scored.length, start + BLOCK);
            for (int t = start; t < end; t++) {
                LoggedRound round = log.get(t);
                double[] target = policy.probabilities(t, round);
                if (target.length != round.actions()) {
                    throw new IllegalArgumentException(policy.name() + " gave " + target.length
                            + " probabilities for a round of " + round.actions() + " actions (round " + t + ")");
                }
                int i = t - start;
                // A copy: a target may hand out the same array every round and change it when it observes.
                if (targets[i] == null || targets[i].length != target.length) {
                    targets[i] = new double[target.length];
                }
                System.arraycopy(target, 0, targets[i], 0, target.length);
                double u = rng.nextDouble();
                int draw = target.length - 1;
                double cumulative = 0;
                for (int a = 0; a < target.length; a++) {
                    cumulative += target[a];
                    if (u < cumulative) {
                        draw = a;
                        break;
                    }
                }
                draws[i] = draw;
                weights[i] = target[round.action()] / round.propensity();
                accepts[i] = rng.nextDouble();
                double outside = 0;
                for (int a = taken.nextClearBit(0); a < target.length; a = taken.nextClearBit(a + 1)) {
                    outside += target[a];
                }
                unsupported[i] = outside;
                policy.observe(round);
            }
            int first = start;
            IntStream.range(start, end).parallel().forEach(t -> {
                LoggedRound round = log.get(t);
                RewardModel model = models.crossFitted(t);
                modelled[t - first] = model.expected(round, targets[t - first]);
                predicted[t - first] = model.predict(round, round.action());
            });
            for (int t = start; t < end; t++) {
                int i = t - start;
                scored[t] = new ScoredRound(log.get(t), weights[i], draws[i], accepts[i], modelled[i], predicted[i],
                        unsupported[i]);
            }
        }
        return scored;
    }
}
