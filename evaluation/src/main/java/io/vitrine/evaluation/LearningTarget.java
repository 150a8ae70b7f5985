package io.vitrine.evaluation;

import io.vitrine.core.bandit.Arm;
import io.vitrine.core.bandit.FeatureMode;
import io.vitrine.core.bandit.NeuralLinearConfig;
import io.vitrine.core.bandit.Policies;
import io.vitrine.core.bandit.Policy;
import io.vitrine.core.bandit.Round;
import io.vitrine.core.posterior.NigPrior;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A learning policy of the core module (Vitrine's neural-linear, linear Thompson sampling, LinUCB,
 * epsilon-greedy) as a target: its probabilities are the frequencies of its choice over {@code draws} calls on
 * the round (Monte Carlo, as for Thompson sampling; a deterministic policy gives one action probability 1), and
 * it learns from each logged round afterwards. Actions are arms {@code a0..a(K-1)} without features, so
 * policies read the context only (per-action models).
 */
public final class LearningTarget implements TargetPolicy {

    private final String name;
    private final Policy policy;
    private final int draws;
    private List<Arm> arms = List.of();

    public LearningTarget(String name, Policy policy, int draws) {
        if (draws < 1) {
            throw new IllegalArgumentException("draws must be at least 1, got " + draws);
        }
        this.name = name;
        this.policy = policy;
        this.draws = draws;
    }

    /** The learning targets by name: {@code neural-linear}, {@code linear-ts}, {@code linucb}, {@code epsilon-greedy}. */
    public static LearningTarget named(String name, long seed, int draws) {
        LongFunction<Policy> factory = switch (name) {
            // The paper's per-arm form: Vitrine's shared form needs candidate features, which logs of plain
            // action ids do not have.
            case "neural-linear" -> s -> Policies.neuralLinear(NeuralLinearConfig.paper()
                    .withPrior(NigPrior.DEFAULT), s);
            case "linear-ts" -> s -> Policies.linearThompson(NigPrior.DEFAULT, FeatureMode.PER_ARM, s);
            case "linucb" -> s -> Policies.linUcb(0.5, FeatureMode.PER_ARM, s);
            case "epsilon-greedy" -> s -> Policies.epsilonGreedy(0.1, s);
            default -> null;
        };
        if (factory == null) {
            return null;
        }
        return new LearningTarget(name, factory.apply(seed), draws);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public double[] probabilities(LoggedRound round) {
        Round r = round(round);
        double[] pi = new double[round.actions()];
        for (int m = 0; m < draws; m++) {
            pi[policy.choose(r)] += 1.0 / draws;
        }
        return pi;
    }

    @Override
    public void observe(LoggedRound round) {
        policy.learn(round(round), round.action(), round.reward());
    }

    private Round round(LoggedRound round) {
        if (arms.size() != round.actions()) {
            List<Arm> list = new ArrayList<>();
            for (int a = 0; a < round.actions(); a++) {
                list.add(new Arm("a" + a, new float[0]));
            }
            arms = List.copyOf(list);
        }
        return new Round(round.context(), arms);
    }
}
