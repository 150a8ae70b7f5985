package io.vitrine.quality;

/** Row labels shared by the policy line-ups and the report's criteria. */
final class PolicyNames {

    static final String UNIFORM = Summary.UNIFORM;
    static final String ORACLE = "Oracle";
    static final String LIN_FULL_POST = "LinFullPost";
    static final String NEURAL_LINEAR_PAPER = "NeuralLinear (paper)";
    static final String NEURAL_LINEAR_PAPER_RESET = "NeuralLinear (paper, lr reset)";
    static final String VITRINE = "Vitrine neural-linear";
    static final String LINEAR_TS_SHARED = "Linear TS, shared";
    static final String LINEAR_TS_PER_ARM = "Linear TS, per arm";
    static final String LIN_UCB_SHARED = "LinUCB, shared";
    static final String LIN_UCB_PER_ARM = "LinUCB, per arm";
    static final String BETA_BERNOULLI = "Beta-Bernoulli TS";
    static final String EPSILON_GREEDY = "ε-greedy";
    static final String KNOWN_MODEL = "Known model, observed features";

    private PolicyNames() {
    }
}
