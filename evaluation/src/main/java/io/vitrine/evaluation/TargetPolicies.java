package io.vitrine.evaluation;

/**
 * Target policies named on the command line: {@code uniform}, {@code always:<action>}, {@code logging}, and the
 * learning ones of {@link LearningTarget} ({@code neural-linear}, {@code linear-ts}, {@code linucb},
 * {@code epsilon-greedy}) and Bernoulli Thompson sampling ({@link BernoulliThompson}), replayed in log order, targets
 * from outside ({@link ExternalTargets}: per-round probabilities or scores from a file, a context-free distribution), and Vitrine's own policy in its shared form, {@code vitrine} or
 * {@code vitrine[key=value,...]} ({@link VitrineTarget.Config#parse}), for logs that carry candidate features.
 */
public final class TargetPolicies {

    /** Monte Carlo draws behind a learning target's probabilities. */
    static final int DRAWS = 100;

    private TargetPolicies() {
    }

    /** The policy a name stands for; learning policies are seeded with {@code seed}. */
    public static TargetPolicy parse(String name, long seed) {
        LearningTarget learning = LearningTarget.named(name, seed, DRAWS);
        if (learning != null) {
            return learning;
        }
        BernoulliThompson bernoulli = BernoulliThompson.parse(name, seed);
        if (bernoulli != null) {
            return bernoulli;
        }
        TargetPolicy external = ExternalTargets.parse(name);
        if (external != null) {
            return external;
        }
        if (name.equals("uniform")) {
            return uniform();
        }
        if (name.equals("vitrine")) {
            return new VitrineTarget(null, VitrineTarget.Config.defaults(), seed);
        }
        if (name.startsWith("vitrine[") && name.endsWith("]")) {
            return new VitrineTarget(null, VitrineTarget.Config.parse(name.substring(8, name.length() - 1)), seed);
        }
        if (name.equals("logging")) {
            return logging();
        }
        if (name.startsWith("always:")) {
            int action;
            try {
                action = Integer.parseInt(name.substring("always:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("always:<action> needs an integer action id, got '" + name + "'");
            }
            return always(action);
        }
        throw new IllegalArgumentException("unknown target policy '" + name + "' (known: uniform, always:<action>, "
                + "logging, distribution[a=p,...], distribution:FILE, probabilities:FILE, scores:FILE, bernoulli-ts, "
                + "bernoulli-ts[batch=..,a0=..,b0=..], neural-linear, linear-ts, linucb, epsilon-greedy, vitrine, "
                + "vitrine[key=value,...])");
    }

    /** pi = 1 / K. */
    public static TargetPolicy uniform() {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "uniform";
            }

            private double[] same = new double[0];

            @Override
            public double[] probabilities(LoggedRound round) {
                if (same.length != round.actions()) {
                    same = new double[round.actions()];
                    java.util.Arrays.fill(same, 1.0 / round.actions());
                }
                return same;
            }
        };
    }

    /** Always the given action. */
    public static TargetPolicy always(int action) {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "always:" + action;
            }

            private double[] same = new double[0];

            @Override
            public double[] probabilities(LoggedRound round) {
                if (action >= round.actions()) {
                    throw new IllegalArgumentException("always:" + action + " names no action of a round of "
                            + round.actions());
                }
                if (same.length != round.actions()) {
                    same = new double[round.actions()];
                    same[action] = 1;
                }
                return same;
            }
        };
    }

    /**
     * The logging policy itself, as a sanity check: the logged action with its logged propensity, the rest of the
     * mass spread evenly over the other actions (the log does not say how the logging policy split it). The
     * importance weights are 1, so IPS and SNIPS must return the log's mean reward.
     */
    public static TargetPolicy logging() {
        return new TargetPolicy() {
            @Override
            public String name() {
                return "logging";
            }

            @Override
            public double[] probabilities(LoggedRound round) {
                double[] pi = new double[round.actions()];
                if (round.actions() == 1) {
                    pi[0] = 1;
                    return pi;
                }
                java.util.Arrays.fill(pi, (1 - round.propensity()) / (round.actions() - 1));
                pi[round.action()] = round.propensity();
                return pi;
            }
        };
    }
}
